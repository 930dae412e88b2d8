import { describe, expect, it } from 'vitest';
import { parseJSONArray } from './json-array.js';
import type { ParsedItem } from './parsed-item.js';

async function collect(source: Parameters<typeof parseJSONArray>[0]): Promise<ParsedItem[]> {
  const items: ParsedItem[] = [];
  for await (const item of parseJSONArray(source, { file: 'data.json' })) items.push(item);
  return items;
}

const GOOD = `[
    {
        "instruction": "Say hi",
        "input": "",
        "output": "Hi \\"there\\" [ok] {ok}"
    },
    {"instruction": "Count", "history": [["a", "b"]], "output": "1, 2"}
]
`;

describe('parseJSONArray', () => {
  it('reads each record with its line and the line of each field', async () => {
    const items = await collect(GOOD);
    expect(items).toHaveLength(2);
    const [first, second] = items;
    expect(first).toMatchObject({ ok: true, index: 0, line: 2, value: { instruction: 'Say hi', output: 'Hi "there" [ok] {ok}' } });
    if (!first!.ok || !second!.ok) throw new Error('expected records');
    expect(Object.fromEntries(first.fieldLines!)).toEqual({ instruction: 3, input: 4, output: 5 });
    expect(second.line).toBe(7);
    expect(Object.fromEntries(second.fieldLines!)).toEqual({ instruction: 7, history: 7, 'history[0]': 7, 'history[0][0]': 7, 'history[0][1]': 7, output: 7 });
  });

  it('gives the same result whatever the chunking, even mid-character', async () => {
    const text = GOOD.replace('Count', 'Zählen ✓ 数');
    const whole = await collect(text);
    const byChar = await collect([...text]);
    const bytes = new TextEncoder().encode(text);
    const byByte = await collect((function* () {
      for (let i = 0; i < bytes.length; i += 3) yield bytes.slice(i, i + 3);
    })());
    expect(byChar).toEqual(whole);
    expect(byByte).toEqual(whole);
    expect(whole[1]).toMatchObject({ value: { instruction: 'Zählen ✓ 数' } });
  });

  it('reports every damaged record with its line and keeps reading', async () => {
    const damaged = [
      '[', //                                   1
      '    {', //                               2
      '        "instruction": "A",', //         3
      '        "output": "a"', //               4
      '    },', //                              5
      '    {', //                               6
      '        "instruction": "B,', //          7  closing quote missing
      '        "output": "b"', //               8
      '    },', //                              9
      '    {', //                               10
      '        "instruction": "C",', //         11
      '        "output": "c"', //               12 closing brace missing
      '    {', //                               13
      '        "instruction": "D",', //         14
      '        "output": "d"', //               15
      '    }', //                               16 comma missing
      '    {', //                               17
      '        "instruction": "E"', //          18 comma missing inside
      '        "output": "e"', //               19
      '    },', //                              20
      '    {"instruction": "F", "output": "f"},', // 21 trailing comma
      ']', //                                   22
    ].join('\n');
    const items = await collect(damaged);
    const errors = items.flatMap((i) => (i.ok ? [] : [[i.error.line, i.error.record, i.error.message]]));
    expect(errors).toEqual([
      [7, 1, 'unterminated string (a closing quote is missing)'],
      [13, 2, "record 2 is not closed (a '}' is missing before this line)"],
      [17, undefined, "missing ',' between records"],
      [19, 4, "invalid JSON: Expected ',' or '}' after property value"],
      [22, undefined, "trailing ',' before ']'"],
    ]);
    expect(items.filter((i) => i.ok).map((i) => (i.ok ? [i.index, i.line] : []))).toEqual([
      [0, 2],
      [3, 13],
      [5, 21],
    ]);
  });

  it('says what is wrong with files that are not arrays', async () => {
    const errorsOf = async (text: string) => (await collect(text)).map((i) => (i.ok ? 'record' : `${i.error.line}: ${i.error.message}`));
    expect(await errorsOf('{"instruction": "x"}\n')).toEqual(["1: expected a JSON array of records ('['); for one record per line use JSONL"]);
    expect(await errorsOf('  \n')).toEqual(['1: empty input: expected a JSON array of records']);
    expect(await errorsOf('[\n {"a": 1},\n {"b": ')).toEqual(['record', '3: file ends inside record 1 (it starts at line 3)']);
    expect(await errorsOf('[{"a": 1}\n')).toEqual(['record', "1: missing the closing ']' of the array"]);
    expect(await errorsOf('[1, "two", null] x')).toEqual(['record', 'record', 'record', "1: unexpected text after the closing ']'"]);
  });
});
