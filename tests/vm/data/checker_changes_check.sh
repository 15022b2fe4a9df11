#!/bin/bash
# MISC_CHECK of tests/vm/data/checker_changes.conf: exits with the code the
# test wrote to /tmp/NAME.rc (0 up, 1 down, 2-255 up at weight code - 2 under
# misc_dynamic).
exit "$(cat "/tmp/$1.rc")"
