# junit-tap.awk FILE.tap: the TAP that prove feeds to TAP::Formatter::JUnit.
# The kselftest harness prints a test's diagnostics before its result line;
# the JUnit formatter attaches the lines that FOLLOW a result to it.  Moving
# each test's block ("#  RUN name" .. result) behind its result line puts
# every failure message on the test it belongs to.  Nothing else changes.
/^#  RUN / { inblock = 1; n = 0 }
inblock && /^(not )?ok [0-9]+ / {
    print
    for (i = 1; i <= n; i++) print held[i]
    inblock = 0; n = 0
    next
}
inblock { held[++n] = $0; next }
{ print }
END { for (i = 1; i <= n; i++) print held[i] }
