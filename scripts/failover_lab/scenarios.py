"""The scenario runner: one set of scenarios and one report for every lab.

A lab (NamespaceLab, RemoteLab) provides: `master`, `backup` (director
names), `client` (a ClientSide), `sessions` (connections to hold through a failover, 0 for none),
`sessions_port` and `sessions_host` (the echo service they reach: on the VIP
when the host is None), sessions_how() (what kept them across a failover,
printed under the sessions row; "" when the lab cannot know),
`vip_expires` (the killed master's VIP must leave by itself: vip_lifetime),
up(), start_directors(), ready(), states(d, since), state(d), has_vip(d),
fail_hard(d), fail_graceful(d), fail_link(d) (each returns None, or the
failure's (local epoch, uncertainty) when the lab knows it better than the
moment it sent the command), restore_link(d),
director_lines(d) ((local epoch, text) of its log), stamp_note(d, more=0)
(how d's transition times were taken: "" or e.g. " \u00b1 0.4 ms (d2's own
log stamps)", `more` added to the uncertainty), clock_rows() (report rows on the clocks used, maybe none),
sessions_note(), down() and `extra_scenarios` (name ->
function(lab, rep)): NamespaceLab's rs, reload and split, which change its
real servers, configs and bridge.
"""

import os
import threading
import time

from .machine import SESSION_LOST_AFTER_S
from .proc import wait_until
from .report import Report, ms, sessions_row

SCENARIOS = ["hard", "graceful", "link", "rs", "reload", "split"]


def outage(lab, since, until):
    """Longest gap between two answered polls in [since, until], and errors."""
    answers = lab.client.answers(since, until)
    ok = [t for t, a in answers if a != "ERR"]
    errs = sum(1 for _, a in answers if a == "ERR")
    gap = max((b - a for a, b in zip(ok, ok[1:])), default=None)
    who = {}
    for _, a in answers:
        who[a] = who.get(a, 0) + 1
    return gap, errs, who, len(answers)


def transitions(lab, since, since_uncertainty=0.0):
    """d -> "STATE at +MS ms, ..." ("none"), with how the times were taken."""
    out = {}
    for d in (lab.master, lab.backup):
        seen = ", ".join(f"{s} at +{(t - since) * 1000:.0f} ms" for t, s in lab.states(d, since))
        out[d] = seen + lab.stamp_note(d, since_uncertainty) if seen else "none"
    return out


def add_outage(rep, lab, since, until):
    gap, errs, who, n = outage(lab, since, until)
    rep.add("client-visible outage:", f"{ms(gap)} longest gap ({errs} failed of {n} polls)")
    rep.add("answered by:", ", ".join(f"{k} {v}" for k, v in sorted(who.items())))
    return errs, who


def bring_up(lab, rep):
    lab.up()
    for key, value in lab.clock_rows():
        rep.add(key, value)
    lab.start_directors()
    ok = wait_until(lab.ready, 20)
    rep.expect(ok, f"cluster did not come up ({lab.master} MASTER with the VIP, "
               f"{lab.backup} BACKUP)")
    lab.client.start_polls()
    ok = wait_until(lambda: any(a != "ERR" for _, a in lab.client.answers(0, 1e12)), 10)
    rep.expect(ok, "the client never reached the VIP")
    time.sleep(0.5)  # a baseline of polls before the failure
    return ok


def reached_backup(lab, who, t_master):
    """The client reached the backup: it answered by name, or (a service
    that does not name its director) some poll after the move succeeded."""
    if lab.master in who or lab.backup in who:
        return who.get(lab.backup, 0) > 0
    return t_master is not None and any(
        a != "ERR" for _, a in lab.client.answers(t_master, 1e12))


def failover(lab, rep, fail, restore=None):
    """Runs `fail`, then measures the VIP move to the backup, GARP, outage
    and (with lab.sessions) the sessions that survived."""
    if lab.sessions:
        ok = lab.client.start_sessions(lab.sessions, lab.sessions_port, lab.sessions_host)
        rep.expect(ok, f"the sessions client did not open {lab.sessions} connections")
        time.sleep(1.0)  # with IPVS, the sync daemon's first round reaches the backup
    t0 = time.time()
    t0, t0_uncertainty = fail() or (t0, 0.0)
    moved = wait_until(lambda: any(s == "MASTER" for _, s in lab.states(lab.backup, t0)), 10)
    t_master = next((t for t, s in lab.states(lab.backup, t0) if s == "MASTER"), None)
    wait_until(lambda: lab.client.first_garp(t0) is not None, 3)
    wait_until(lambda: reached_backup(lab, dict(outage(lab, t0, 1e12)[2]), t_master), 5)
    time.sleep(0.5)
    t_garp = lab.client.first_garp(t0)
    rep.add(f"VIP moved to {lab.backup}:", "yes" if moved else "NO")
    rep.add("VIP move time:", ms(t_master - t0) + lab.stamp_note(lab.backup, t0_uncertainty)
            if t_master else "-")
    rep.add("GARP on client LAN:", (ms(t_garp - t0) if t_garp else "none seen")
            + ("" if lab.client.garp_from == "tcpdump" else " (client's neighbour entry)"))
    _, who = add_outage(rep, lab, t0 - 0.3, time.time())
    rep.expect(moved, f"{lab.backup} never became MASTER")
    rep.expect(t_garp is not None, "no gratuitous ARP for the VIP seen on the client LAN")
    rep.expect(reached_backup(lab, who, t_master), f"the client never reached {lab.backup}")
    if lab.sessions:
        # Held past the lost-after time: a session counted kept echoed after the move.
        time.sleep(max(0.0, (t_master or t0) + SESSION_LOST_AFTER_S + 0.5 - time.time()))
        sessions_row(rep, lab.client.stop_sessions(), lab.sessions, lab.sessions_how())
    if restore:
        restore()
    for d, tr in transitions(lab, t0, t0_uncertainty).items():
        rep.add(f"transitions {d}:", tr)
    return t0


def watch_vip_leaves(lab, d, seen, limit):
    """Polls d's VIP on a thread of its own (the failover measurement holds
    the sessions meanwhile) and sets seen["gone"] to the local epoch it was
    first missing; nothing when it stays `limit` seconds. A miss counts only
    when the next poll misses too: has_vip reads a failed `ip` or ssh call
    as a miss, and one such error must not record an early time."""
    def poll():
        end = time.time() + limit
        missing_since = None
        while time.time() < end:
            if lab.has_vip(d):
                missing_since = None
            elif missing_since is None:
                missing_since = time.time()
            else:
                seen["gone"] = missing_since
                return
            time.sleep(0.05)
    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    return thread


def scenario_hard(lab, rep):
    # The killed master's VIP expires (vip_lifetime) though nothing removes it.
    seen, limit = {}, 10
    watchers = []

    def fail():
        watchers.append(watch_vip_leaves(lab, lab.master, seen, limit))
        return lab.fail_hard(lab.master)
    t0 = failover(lab, rep, fail)
    for w in watchers:
        w.join(limit + 5)
    gone = seen.get("gone")
    rep.add(f"VIP left dead {lab.master} after:",
            ms(gone - t0) if gone else f"NOT within {limit} s")
    if lab.vip_expires:
        rep.expect(gone is not None, f"the VIP stayed on the killed {lab.master}")


def scenario_graceful(lab, rep):
    failover(lab, rep, lambda: lab.fail_graceful(lab.master))
    rep.expect(not lab.has_vip(lab.master), f"{lab.master} kept the VIP after a graceful stop")


def scenario_link(lab, rep):
    def restore():
        lab.restore_link(lab.master)
        ok = wait_until(lambda: lab.state(lab.master) == "MASTER" and lab.has_vip(lab.master), 10)
        rep.add(f"{lab.master} preempted back after link up:", "yes" if ok else "NO")
        rep.expect(ok, f"{lab.master} did not take the VIP back after its link came up")
    failover(lab, rep, lambda: lab.fail_link(lab.master), restore)


def run_scenario(args, name, make_lab):
    rep = Report(name)
    lab = make_lab()
    try:
        if bring_up(lab, rep):
            scenario = SCENARIO_FUNCTIONS.get(name) or lab.extra_scenarios[name]
            scenario(lab, rep)
    except Exception as e:  # reported, never hidden
        rep.expect(False, f"lab error: {e}")
    finally:
        lab.down()
        if args.keep_logs:
            os.makedirs(args.keep_logs, exist_ok=True)
            for d in (lab.master, lab.backup):
                with open(os.path.join(args.keep_logs, f"{name}-{d}.log"), "w") as f:
                    f.writelines(f"{t:.6f} {l}\n" for t, l in lab.director_lines(d))
    note = lab.sessions_note()
    if note:
        rep.add("sessions:", note)
    rep.print()
    return rep


SCENARIO_FUNCTIONS = {"hard": scenario_hard, "graceful": scenario_graceful, "link": scenario_link}
