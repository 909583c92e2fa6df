import { describe, expect, it } from 'vitest';
import { ResultFile } from '../../src/io/result-file.js';

describe('ResultFile on a full disk', () => {
  it('hands the first failed write to onFail once, writes nothing after it, and counts the records that did not get in', async () => {
    const failures: unknown[] = [];
    // /dev/full fails every write with ENOSPC.
    const file = ResultFile.open('/dev/full', false, (err) => failures.push(err));
    await Promise.all([file.writeLine('{"id":"a"}'), file.writeLine('{"id":"b"}')]);
    expect(failures).toHaveLength(1);
    expect((failures[0] as NodeJS.ErrnoException).code).toBe('ENOSPC');
    expect(file.unwritten).toBe(2);
    await file.writeLine('{"id":"c"}');
    file.close();
    expect(failures).toHaveLength(1);
    expect(file.unwritten).toBe(3);
  });
});
