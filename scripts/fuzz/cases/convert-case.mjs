// The shape of a checkpoint case: `effnet convert <file> --from <format> --arch arch.json`.

/**
 * Returns `add(mutation, expect, bytes, extra)`, which appends to `cases` a case converting
 * `bytes` saved as `file` with `--from format` and the seed architecture `arch`; `bytes`
 * undefined leaves the file to `extra.files` (links, folders) or missing.
 */
export function convertCaseAdder(cases, file, format, arch) {
  return (mutation, expect, bytes, { files, ...extra } = {}) =>
    cases.push({
      mutation,
      expect,
      args: ['convert', file, '--from', format, '--arch', 'arch.json', '--out', 'out/model'],
      files: { 'arch.json': arch, ...(bytes !== undefined ? { [file]: bytes } : {}), ...(files ?? {}) },
      mentions: [file],
      ...extra,
    });
}
