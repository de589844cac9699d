#!/usr/bin/perl
# tap-parse.pl COMBINED.TAP: count the results of a run's TAP (kselftest
# runner format) with Perl's TAP::Parser, independently of the runner's awk.
# Each "# selftests: AREA: PROG" block is un-nested (the "# " prefix taken
# off) and parsed as a TAP stream of its own; the top level is parsed too.
# Prints "programs N ok M" and "tests pass F fail F skip F xfail F
# xfail_known F xpass F xpass_known F", and "error ..." for every parse
# error or bad plan (exit 1 when there is any).  TAP has no XFAIL/XPASS
# directive: those are "ok" lines whose description carries "# XFAIL" or
# "# XPASS", told apart by that text.
use strict;
use warnings;
use TAP::Parser;

my $file = shift or die "usage: tap-parse.pl COMBINED.TAP\n";
open(my $fh, '<', $file) or die "$file: $!\n";
my (@top, %blocks, @order, $cur);
while (my $l = <$fh>) {
    if ($l =~ /^# selftests: (.*)$/) { $cur = $1; push @order, $cur; $blocks{$cur} = ''; next; }
    if ($l =~ /^# ?(.*)$/s && defined $cur) { $blocks{$cur} .= $1; next; }
    $cur = undef if $l =~ /^(not )?ok \d+ /;
    push @top, $l;
}
close $fh;

my %n = map { $_ => 0 } qw(pass fail skip xfail xfail_known xpass xpass_known);
my @errors;
for my $b (@order) {
    my $p = TAP::Parser->new({ tap => $blocks{$b} });
    while (my $r = $p->next) {
        next unless $r->is_test;
        my $d = $r->description;
        if (!$r->is_ok) { $n{fail}++; }
        elsif (($r->directive // '') eq 'SKIP') { $n{skip}++; }
        elsif ($d =~ /# XFAIL/) { $n{xfail}++; $n{xfail_known}++ if $d =~ /# XFAIL known kernel bug/; }
        elsif ($d =~ /# XPASS/) { $n{xpass}++; $n{xpass_known}++ if $d =~ /# XPASS fixed\? known kernel bug/; }
        else { $n{pass}++; }
    }
    push @errors, map { "$b: $_" } $p->parse_errors;
    push @errors, "$b: plan " . ($p->plan // 'none') . " but " . $p->tests_run . " tests" unless $p->is_good_plan;
}
my $tp = TAP::Parser->new({ tap => join('', @top) });
my ($progs, $progs_ok) = (0, 0);
while (my $r = $tp->next) { next unless $r->is_test; $progs++; $progs_ok++ if $r->is_ok; }
push @errors, map { "top level: $_" } $tp->parse_errors;
push @errors, "top level: plan " . ($tp->plan // 'none') . " but $progs programs" unless $tp->is_good_plan;
print "programs $progs ok $progs_ok\n";
print "tests", (map { " $_ $n{$_}" } qw(pass fail skip xfail xfail_known xpass xpass_known)), "\n";
print "error $_\n" for @errors;
exit(@errors ? 1 : 0);
