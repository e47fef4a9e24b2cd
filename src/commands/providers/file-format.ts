// `providers import` and `export` read and write JSON, or YAML when the file is named so.
export const isYaml = (file: string) => /\.ya?ml$/i.test(file);
