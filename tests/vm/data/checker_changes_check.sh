#!/bin/sh
# MISC_CHECK of tests/vm/data/checker_changes.conf: exits with the code the
# test wrote to /tmp/NAME.rc (0 up, 1 down, 2-255 up at weight code - 2 under
# misc_dynamic), and logs each run with the guest's uptime so the test can
# tell the checker's delay from the dataplane's. The guest's /bin/sh is static
# busybox and nothing here forks: three of these every second must not
# saturate a TCG vCPU.
read -r code <"/tmp/$1.rc"
read -r up _ </proc/uptime
echo "$1 $up $code" >>/tmp/checker_runs.log
exit "$code"
