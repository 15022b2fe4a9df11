#pragma once

// How vigild asks glibc's allocator to hand memory back (the supervisor
// sets it at start; the workers it forks inherit it).
//
// The check worker's full snapshot patch (at start, after a reload, on the
// supervisor's Resync) is about 420 bytes per checker (8.4 MB at 20,000),
// and the supervisor assembles a new copy of the text from its frames. glibc
// serves a block of at least M_MMAP_THRESHOLD bytes with its own mapping and
// unmaps it when freed, but by default it raises that threshold to the size
// of every such block freed (up to 32 MB): after the first one is freed,
// every later one is carved from the brk heap instead, whose freed space
// stays resident and fragments. At 20,000 TCP_CHECKs that was about 38 MB of
// the worker's RSS when it rebuilt the whole text (doc/benchmarks.md
// "Checker RSS").
namespace vigil::check {

// Pins M_MMAP_THRESHOLD at glibc's default starting value (128 KB), which
// turns the dynamic raise off: multi-megabyte buffers are mapped and unmapped
// on their own, small objects are served as before. Process-wide; calling it
// again changes nothing.
void keepLargeBuffersOutOfHeap();

// Hands the brk heap's free pages back to the system (malloc_trim), where
// free() returns only what lies at the heap's top. For the supervisor after
// work that frees many small blocks among a few that stay: parsing a
// configuration (the keyword tree of 20,000 real servers left 16 MB free
// but resident, inherited by every worker forked after it) and a /metrics
// render (its JSON tree of the snapshot's skeleton and sort order, 15 MB at
// 20,000). A few ms for tens of MB; never needed for correctness.
void returnFreeHeap();

}  // namespace vigil::check
