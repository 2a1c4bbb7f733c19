/**
 * Tiered storage of template activations (memory, local disk, remote), prefetch and the pipelined
 * loader.
 */
package io.instgenie.cache;
