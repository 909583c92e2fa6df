/** cli-table3 options shared by every table: no colour codes, so output is the same on any terminal. */
export const TABLE_STYLE = {
  style: { head: [] as string[], border: [] as string[] },
};
