# The ext4 writer against e2fsprogs: e2fsck -fn is clean, debugfs sees exactly the
# template (names, types, modes, owners, symlink targets, device numbers, file SHA-256,
# xattrs), writes are bit-identical whatever the inputs' times, the umask and the cwd,
# a filesystem written at an offset equals the one at 0, base folders and tarballs give
# the same tree, and a too-small size fails leaving nothing.
. "$(dirname "$0")/../lib.sh"
need_cmd e2fsck debugfs sha256sum tar cmp
TOOL=$TDV_BUILD/tests/tools/rootfs-write
[ -x "$TOOL" ] || skip "$TOOL not built (make all)"

# --- a template exercising every directive ---------------------------------------------
mk_template() { # dir
	local d=$1
	mkdir -p "$d/files"
	seq 1 300000 >"$d/files/big"                      # ~2 MB, several extents' worth
	{ head -c 10000 /dev/zero; echo tail; } >"$d/files/holes" # leading zero blocks: a hole
	printf 'root:x:0:0:root:/root:/sbin/nologin\n' >"$d/files/passwd"
	: >"$d/files/empty"
	cp /bin/true "$d/agent"
	ln -s files/passwd "$d/passwd-link" # a symlink inside the template may be a source
	{
		echo "# every directive"
		echo "dir /bin 0755 0 0"
		echo "file /bin/agent @AGENT@ 0755 0 0 /bin/agent-link /sbin-agent"
		echo "dir /data 02750 1000 1001"
		echo "file /data/big files/big 0644 1000 1001"
		echo "file /data/holes files/holes 0600 0 0"
		echo "file /data/empty files/empty 0444 0 0"
		echo "file /data/passwd passwd-link 0644 4000000000 4000000001"
		echo "dir /dev 0755 0 0"
		echo "nod /dev/console 0600 0 0 c 5 1"
		echo "nod /dev/sda 0660 0 6 b 8 0"
		echo "nod /dev/big 0600 0 0 c 300 70000"
		echo "pipe /dev/fifo 0620 0 5"
		echo "sock /dev/sock 0755 0 0"
		echo "slink /fast ../data/passwd 0777 0 0"
		echo "slink /slow /a/very/long/symlink/target/which/is/longer/than/sixty/bytes/so/it/needs/a/block 0777 0 0"
		echo "dir /many 0755 0 0"
		for i in $(seq 1 400); do echo "slink /many/entry-with-a-long-name-number-$i t$i 0777 0 0"; done
		echo "dir /tmp 01777 0 0"
		echo "xattr /data/passwd user.test hello"
		echo "xattr /bin security.test 0x00ff10"
	} >"$d/manifest"
}

# The image's view in the --list format: ls -p on every folder, stat/dump for the rest.
image_list() { # image expected-list out
	local img=$1 exp=$2 out=$3 dumps=$T/dumps
	rm -rf "$dumps" && mkdir -p "$dumps"
	awk '$2 ~ /^d/ { print "ls -p \"" $1 "\"" }' "$exp" | debugfs -f - "$img" 2>/dev/null |
		awk '
		/^debugfs: ls -p / { dir = substr($0, 17); gsub(/"/, "", dir); next }
		/^\// {
			n = split($0, f, "/"); name = f[6]
			if (name == "." || name == ".." || (dir == "/" && name == "lost+found")) next
			mode = f[3]; type = substr(mode, 1, length(mode) - 4); perm = substr(mode, length(mode) - 3)
			t = type == "04" ? "d" : type == "10" ? "f" : type == "12" ? "l" : type == "02" ? "c" : type == "06" ? "b" : type == "01" ? "p" : type == "14" ? "s" : "?"
			uid = f[4] < 0 ? f[4] + 4294967296 : f[4]  # debugfs prints ids as int32
			gid = f[5] < 0 ? f[5] + 4294967296 : f[5]
			printf "%s %s %.0f %.0f\n", (dir == "/" ? "" : dir) "/" name, t perm, uid, gid
		}' | sort >"$T/img.base"
	echo "/ $(debugfs -R 'stat /' "$img" 2>/dev/null | awk '/Mode:/ { printf "d%s", $6 } /^User:/ { print " " $2, $4 }')" >>"$T/img.base"
	: >"$out"
	local i=0 path tp uid gid extra
	while read -r path tp uid gid; do
		case $tp in
		f*)
			i=$((i + 1))
			debugfs -R "dump \"$path\" $dumps/$i" "$img" 2>/dev/null
			extra=$(sha256sum <"$dumps/$i" | cut -d' ' -f1)
			;;
		l*)
			extra=$(debugfs -R "stat \"$path\"" "$img" 2>/dev/null | sed -n 's/^Fast link dest: "\(.*\)"$/\1/p')
			if [ -z "$extra" ]; then
				i=$((i + 1))
				debugfs -R "dump \"$path\" $dumps/$i" "$img" 2>/dev/null
				extra=$(cat "$dumps/$i")
			fi
			;;
		c* | b*)
			extra=$(debugfs -R "stat \"$path\"" "$img" 2>/dev/null |
				sed -n 's/^.*Device major\/minor number: \([0-9]*\):\([0-9]*\) .*/\1 \2/p' |
				awk '{ printf "%d,%d", $1, $2 }')
			;;
		*) extra=- ;;
		esac
		echo "$path $tp $uid $gid $extra" >>"$out"
	done < <(sort "$T/img.base")
	sort -o "$out" "$out"
}

check_image() { # image template-dir [base]
	local img=$1 tpl=$2 base=${3:-}
	e2fsck -fn "$img" >"$T/fsck.log" 2>&1 || { cat "$T/fsck.log"; fail "e2fsck -fn $img"; }
	"$TOOL" --template "$tpl" --agent "$tpl/agent" ${base:+--base "$base"} --list | sort >"$T/expected"
	image_list "$img" "$T/expected" "$T/actual"
	diff -u "$T/expected" "$T/actual" || fail "image listing differs from the template"
}

mk_template "$T/a"
info "write and check the image"
"$TOOL" --template "$T/a" --agent "$T/a/agent" --out "$T/a.img" >/dev/null
check_image "$T/a.img" "$T/a"
[ "$(wc -l <"$T/actual")" -ge 420 ] || fail "listing too short"
debugfs -R 'ea_get /data/passwd user.test' "$T/a.img" 2>/dev/null | grep -qx 'user.test (5) = "hello"' ||
	fail "xattr user.test missing"
debugfs -R 'ea_get -x /bin security.test' "$T/a.img" 2>/dev/null | grep -q '00 ff 10' ||
	fail "xattr security.test missing"
links=$(debugfs -R 'stat /bin/agent' "$T/a.img" 2>/dev/null | awk '/^Links:/ { print $2 }')
assert_eq "$links" 3 "link count of the hard-linked agent"
inos=$(debugfs -R 'ls -p /bin' "$T/a.img" 2>/dev/null | awk -F/ '$6 ~ /^agent/ { print $2 }' | sort -u | wc -l)
assert_eq "$inos" 1 "hard links share one inode"
debugfs -R 'stat /data/big' "$T/a.img" 2>/dev/null | grep -q 'ctime: 0x6553f100:00000000' ||
	fail "inode times are not SOURCE_DATE_EPOCH"
dumpe2fs -h "$T/a.img" 2>/dev/null | grep -q 'metadata_csum' || fail "metadata_csum missing"

info "reproducible: other copy, touched inputs, umask 077, other cwd"
cp -r "$T/a" "$T/b"
find "$T/b" -exec touch -h -d '2001-02-03 04:05:06' {} +
chmod 0600 "$T/b/files/big"
(umask 077 && cd / && "$TOOL" --template "$T/b" --agent "$T/b/agent" --out "$T/b.img" >/dev/null)
cmp "$T/a.img" "$T/b.img" || fail "images differ"
sleep 1
"$TOOL" --template "$T/a" --agent "$T/a/agent" --out "$T/c.img" >/dev/null
cmp "$T/a.img" "$T/c.img" || fail "a second write one second later differs"

info "written at an offset = written at 0"
"$TOOL" --template "$T/a" --agent "$T/a/agent" --out "$T/off.img" --offset 1048576 >/dev/null
size=$(stat -c %s "$T/a.img")
assert_eq "$(stat -c %s "$T/off.img")" $((size + 1048576)) "offset image size"
cmp -n 1048576 "$T/off.img" /dev/zero || fail "bytes before the offset were touched"
cmp -i 1048576:0 "$T/off.img" "$T/a.img" || fail "filesystem at offset differs"

info "a too-small --size fails and leaves nothing"
expect_exit 1 "$TOOL" --template "$T/a" --agent "$T/a/agent" --out "$T/small.img" --size 1048576
expect_stderr "ext4: the content needs at least"
[ ! -e "$T/small.img" ] || fail "small.img left behind"
expect_exit 1 "$TOOL" --template "$T/a" --agent "$T/a/agent" --out "$T/odd.img" --size 1048577
expect_stderr "is not a multiple of 4096 bytes"
"$TOOL" --template "$T/a" --agent "$T/a/agent" --out "$T/big.img" --size $((64 << 20)) >/dev/null
check_image "$T/big.img" "$T/a"

info "a base folder and the same tree as a tarball"
mkdir -p "$T/base/etc" "$T/base/usr/bin" "$T/base/var/empty"
seq 1 1000 >"$T/base/usr/bin/tool"
ln "$T/base/usr/bin/tool" "$T/base/usr/bin/tool-link"
printf 'base\n' >"$T/base/etc/hostname"
ln -s /etc/shadow "$T/base/etc/absolute-link" # must stay a link, never followed
ln -s usr/bin "$T/base/bin"
chmod 4755 "$T/base/usr/bin/tool"
# xattrs on a symlink (trusted.* needs CAP_SYS_ADMIN; left out without it).
link_xattr=$(python3 -c 'import os, sys
try:
    os.setxattr(sys.argv[1], "trusted.k", b"v", follow_symlinks=False); print(1)
except OSError:
    print(0)' "$T/base/bin" 2>/dev/null || echo 0)
mkdir -p "$T/s"
cp "$T/a/agent" "$T/s/agent"
printf 'template\n' >"$T/s/hostname"
printf 'base\nfile /etc/hostname hostname 0644 0 0\ndir /usr/bin 0755 0 0\nfile /usr/bin/kata-agent @AGENT@ 0755 0 0\n' >"$T/s/manifest"
"$TOOL" --template "$T/s" --agent "$T/s/agent" --base "$T/base" --out "$T/base-dir.img" >/dev/null
check_image "$T/base-dir.img" "$T/s" "$T/base"
if [ "$link_xattr" = 1 ]; then
	debugfs -R 'ea_get /bin trusted.k' "$T/base-dir.img" 2>/dev/null | grep -qx 'trusted.k (1) = "v"' ||
		fail "xattr of a base symlink missing"
fi
cp "$T/expected" "$T/expected-folder"
tar --numeric-owner -C "$T/base" -cf "$T/base.tar" .
"$TOOL" --template "$T/s" --agent "$T/s/agent" --base "$T/base.tar" --out "$T/base-tar.img" >/dev/null
e2fsck -fn "$T/base-tar.img" >"$T/fsck.log" 2>&1 || { cat "$T/fsck.log"; fail "e2fsck tarball image"; }
image_list "$T/base-tar.img" "$T/expected-folder" "$T/actual-tar"
diff -u "$T/expected-folder" "$T/actual-tar" || fail "tarball image differs from the folder's tree"
gzip -n -c "$T/base.tar" >"$T/base.tar.gz"
"$TOOL" --template "$T/s" --agent "$T/s/agent" --base "$T/base.tar.gz" --out "$T/base-tgz.img" >/dev/null
cmp "$T/base-tar.img" "$T/base-tgz.img" || fail "compressed tarball gives another image"
info "the shipped templates"
cp /bin/true "$T/agent"
mkdir -p "$T/kt"
cp -r "$TDV_TOP/rootfs-templates/kata-agent/." "$T/kt/"
cp "$T/agent" "$T/kt/agent" # check_image lists with --agent <template>/agent
"$TOOL" --template "$T/kt" --agent "$T/kt/agent" --out "$T/kata.img" >/dev/null
check_image "$T/kata.img" "$T/kt"
grep -q '^/sbin/init f0755 0 0 ' "$T/actual" || fail "kata-agent: no /sbin/init"
links=$(debugfs -R 'stat /usr/bin/kata-agent' "$T/kata.img" 2>/dev/null | awk '/^Links:/ { print $2 }')
assert_eq "$links" 2 "kata-agent: /sbin/init and /usr/bin/kata-agent are one inode"
# kata-agent-systemd on a small stand-in for a distro tree.
mkdir -p "$T/distro/etc/systemd/system" "$T/distro/usr/bin" "$T/distro/usr/lib/systemd/system" "$T/distro/sbin"
ln -s ../lib/systemd/systemd "$T/distro/sbin/init"
ln -s ../run/systemd/resolve/stub-resolv.conf "$T/distro/etc/resolv.conf"
printf 'ID=debian\n' >"$T/distro/etc/os-release"
mkdir -p "$T/st"
cp -r "$TDV_TOP/rootfs-templates/kata-agent-systemd/." "$T/st/"
cp "$T/agent" "$T/st/agent"
"$TOOL" --template "$T/st" --agent "$T/st/agent" --base "$T/distro" --out "$T/systemd.img" >/dev/null
check_image "$T/systemd.img" "$T/st" "$T/distro"
grep -q '^/etc/resolv.conf f0644 0 0 ' "$T/actual" || fail "systemd: resolv.conf must be a file"
grep -q '^/usr/lib/systemd/system/kata-containers.target f0644 ' "$T/actual" || fail "no target"
grep -q '^/etc/os-release f' "$T/actual" || fail "systemd: the base tree is missing"
expect_exit 1 "$TOOL" --template "$T/st" --agent "$T/st/agent" --out "$T/nobase.img"
expect_stderr "template needs a base"
info "ok"
