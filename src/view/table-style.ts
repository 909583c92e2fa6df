/** cli-table3 options shared by every table: no colour codes, no rule between body rows. */
export const TABLE_STYLE = {
  style: { head: [] as string[], border: [] as string[] },
  chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
};
