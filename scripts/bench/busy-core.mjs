// Keeps one core busy (the benchmark's "other process"): spins in 50 ms slices, yielding between them only to
// notice that its parent is gone (the IPC channel closes: it exits, also when the parent was killed).
process.on('disconnect', () => process.exit(0));
const spin = () => {
  const end = performance.now() + 50;
  while (performance.now() < end);
  setImmediate(spin);
};
process.send?.('spinning');
spin();
