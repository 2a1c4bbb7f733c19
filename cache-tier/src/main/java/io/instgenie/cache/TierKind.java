package io.instgenie.cache;

/** Where a template's activations live, fastest first (the order Algorithm 2 prefers). */
public enum TierKind {
  /** Off-heap host memory of this node. */
  MEMORY,
  /** A file in this node's cache folder. */
  DISK,
  /** Another node of the cluster (not implemented yet: see {@link RemoteTier}). */
  REMOTE
}
