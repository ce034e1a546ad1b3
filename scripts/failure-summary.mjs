// A node:test reporter that prints nothing while the suite runs and, at the
// end, one block per failed test: its file, its full name and the error. The
// TAP stream beside it is thousands of lines, and a CI log that keeps only its
// head and tail would otherwise hide which test failed.
export default async function* failureSummary(source) {
  const failures = [];
  // Files run in parallel and their events interleave, so names nest per file.
  const openNamesByFile = new Map();
  for await (const event of source) {
    if (event.type === 'test:start') {
      const openNames = openNamesByFile.get(event.data.file) ?? [];
      openNames[event.data.nesting] = event.data.name;
      openNamesByFile.set(event.data.file, openNames);
      continue;
    }
    if (event.type !== 'test:fail') continue;
    const { name, nesting, file, details } = event.data;
    // A suite fails when a test in it fails; the test itself is the useful line.
    if (details.type === 'suite') continue;
    const openNames = openNamesByFile.get(file) ?? [];
    const path = [...openNames.slice(0, nesting), name].join(' > ');
    failures.push({ file, path, error: details.error });
  }
  if (failures.length === 0) return;
  yield `\n# ${failures.length} failed test${failures.length === 1 ? '' : 's'}:\n`;
  for (const { file, path, error } of failures) {
    yield `\n# ✖ ${path}\n#   ${file ?? '(unknown file)'}\n`;
    yield `${describe(error).replace(/^/gm, '#     ')}\n`;
  }
}

function describe(error) {
  // node:test wraps a test's own error in ERR_TEST_FAILURE with the original as cause.
  const original = error?.cause ?? error;
  const text = original instanceof Error ? (original.stack ?? String(original)) : String(original);
  // The runner's own frames say nothing about the failure.
  return text
    .split('\n')
    .filter((line) => !/^\s+at .*(node:internal|node:async_hooks|new Promise \(<anonymous>\)|Array\.map \(<anonymous>\))/.test(line))
    .join('\n');
}
