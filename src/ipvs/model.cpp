// The IPVS service model (model.h) lands with the reconcile work.
