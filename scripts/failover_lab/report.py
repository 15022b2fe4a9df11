"""The report every scenario prints, in every mode (netns, remote, guest)."""

from .proc import log


def ms(x):
    return "-" if x is None else f"{x * 1000:.0f} ms"


class Report:
    def __init__(self, name):
        self.name = name
        self.rows = []
        self.errors = []

    def add(self, key, value):
        self.rows.append((key, value))

    def expect(self, ok, what):
        if not ok:
            self.errors.append(what)

    def print(self):
        log(f"\n=== scenario {self.name} ===")
        for k, v in self.rows:
            log(f"  {k:<28} {v}")
        log(f"  {'errors:':<28} {len(self.errors)}")
        for e in self.errors:
            log(f"    - {e}")


def sessions_row(rep, figures, conns, how=""):
    """The sessions figures of a client holding `conns` connections through
    the VIP across the failure; every one must survive. `how` says what kept
    them (e.g. plain routing through the VIP gateway, or IPVS connection
    sync), so a figure is never read as more than it measured."""
    if figures is None:
        rep.add("sessions kept:", "- (the sessions client printed nothing)")
        rep.expect(False, "the sessions client printed no figures")
        return
    rep.add("sessions kept:", f"{figures['kept']}/{conns} (reset {figures['reset']}, "
            f"lost {figures['lost']}, failed {figures['failed']}; longest stall "
            f"{figures['max_stall_ms']} ms)")
    if how:
        rep.add("sessions kept by:", how)
    rep.expect(figures["kept"] == conns, f"only {figures['kept']} of {conns} sessions survived")
