/** Test helpers for the core, published apart from the core's public surface. */
export { ManualClock } from './manual-clock.ts';
export { MemoryStore, type StoreCounters } from './memory-store.ts';
export { SteppingClock } from './stepping-clock.ts';
