# loops.awk FILE.c...: `make lint`'s check for a kselftest ASSERT_/EXPECT_
# that is the whole body of an unbraced `for` or `while`.
#
# The harness's checks end in OPTIONAL_HANDLER(), a statement of its own
# after the check (kselftest_harness.h: `do { ... } while (0);
# OPTIONAL_HANDLER(_assert)`), and that handler is both the TH_LOG that
# follows the check and ASSERT's bail-out.  Without braces the loop's body
# is the check alone: a failed ASSERT_ does not stop the loop, and the
# TH_LOG runs once, after it, printing the loop variables' final values.
#
# Prints FILE:LINE: and the loop for each one found, exits 1 if any.  A
# pure function of its input: suites/unit/lint_test.sh.  A loop header
# spread over several lines is not seen.
FNR == 1 { pend = 0 }
{
    if (pend) {
        if ($0 ~ /^[ \t]*(ASSERT|EXPECT)_[A-Z_]+[ \t]*\(/) {
            body = $0; sub(/^[ \t]*/, "", body)
            printf "%s:%d: %s's body is %s...: brace it (the check's handler runs after the loop)\n",
                FILENAME, FNR, loop, substr(body, 1, index(body, "(") - 1)
            bad = 1
        }
        if ($0 !~ /^[ \t]*$/) pend = 0
    }
    # a loop header alone on its line: no body, no `{`, no `;` after it
    if ($0 ~ /^[ \t]*(for|while)[ \t]*\(.*\)[ \t]*$/ && $0 !~ /;[ \t]*$/) {
        pend = 1; loop = $0; sub(/^[ \t]*/, "", loop); sub(/[ \t]*\(.*/, "", loop)
    }
}
END { exit bad }
