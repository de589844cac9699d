#!/bin/sh
# lint_test.sh: harness/lint/loops.awk, make lint's check for an ASSERT_ or
# EXPECT_ that is the whole body of an unbraced for/while loop, as TAP.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
n=0 failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM HUP
# shellcheck source=fixtures/tap.sh
. "$top/fixtures/tap.sh"
awk=${VCT_AWK:-awk}
lint() { $awk -f "$top/harness/lint/loops.awk" "$@"; }

cat > "$tmp/bad.c" <<'C'
TEST(t)
{
	int i;

	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, f(i)) TH_LOG("i=%d", i);
	while (g())

		EXPECT_TRUE(h());
}
C
cat > "$tmp/good.c" <<'C'
TEST(t)
{
	int i;

	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, f(i)) TH_LOG("i=%d", i);
	}
	for (i = 0; i < 4; i++)
		ONE_CMD(i, 1);
	for (i = 0; i < 4; i++)
		sum += f(i);
	if (x)
		ASSERT_EQ(0, f(0));
	for (i = 0; i < 4; i++) ;
	ASSERT_EQ(0, f(1));
}
C

# both loops named, with file and line, and the exit status 1
flags_unbraced_loops() {
    st=0; lint "$tmp/bad.c" > "$tmp/o" || st=$?
    cat "$tmp/o"
    [ "$st" = 1 ] &&
        grep -q "^$tmp/bad.c:6: for's body is ASSERT_EQ" "$tmp/o" &&
        grep -q "^$tmp/bad.c:9: while's body is EXPECT_TRUE" "$tmp/o" &&
        [ "$(wc -l < "$tmp/o")" -eq 2 ]
}
# braced loops, other loop bodies, an unbraced if and an empty loop pass
passes_braced_and_other_bodies() { lint "$tmp/good.c"; }
# a pending header does not leak into the next file
pending_loop_ends_with_its_file() {
    printf 'for (;;)\n' > "$tmp/a.c"; printf '\tASSERT_EQ(0, 0);\n' > "$tmp/b.c"
    lint "$tmp/a.c" "$tmp/b.c"
}
# the project's own sources are clean
sources_clean() { lint "$top"/suites/*/*.c "$top"/harness/*.c "$top"/fuzz/*.c; }

check lint.loops_flags_check_as_whole_body_of_unbraced_for_and_while flags_unbraced_loops
check lint.loops_passes_braced_loops_other_bodies_and_if passes_braced_and_other_bodies
check lint.loops_pending_header_ends_with_its_file pending_loop_ends_with_its_file
check lint.loops_project_sources_clean sources_clean
echo "1..$n"
exit "$failed"
