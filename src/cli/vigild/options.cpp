// Command-line options of vigild: see options.h.
