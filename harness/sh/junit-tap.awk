# junit-tap.awk FILE.tap: the TAP that prove feeds to TAP::Formatter::JUnit.
# The kselftest harness prints a test's diagnostics before its result line;
# the JUnit formatter attaches the lines that FOLLOW a result to it.  Moving
# each test's block ("#  RUN name" .. result) behind its result line puts
# every failure message on the test it belongs to.  The same for a kernel
# splat quoted before a set-up failure (tap/00-setup.tap: "#   " lines, then
# "not ok N setup.kernel_log_clean_before_tests"): it goes behind that
# result.  A splat quoted right AFTER a result ("# vfio-ct: ..." and "#   "
# lines following it: the set-up's and teardown's blocks) stays with that
# result, even when a failure follows.  Nothing else changes.
function flush(   i) { for (i = 1; i <= ns; i++) print splat[i]; ns = 0 }
/^#  RUN / { flush(); inblock = 1; n = 0; after = 0 }
inblock && /^(not )?ok [0-9]+ / {
    print
    for (i = 1; i <= n; i++) print held[i]
    inblock = 0; n = 0; after = 1
    next
}
inblock { held[++n] = $0; next }
after && (/^# vfio-ct: / || /^#   /) { print; next }
{ after = 0 }
/^#   / { splat[++ns] = $0; next }
/^not ok [0-9]+ / && ns { print; flush(); after = 1; next }
/^(not )?ok [0-9]+ / { flush(); print; after = 1; next }
{ flush(); print }
END { flush(); for (i = 1; i <= n; i++) print held[i] }
