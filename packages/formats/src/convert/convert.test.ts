import { describe, expect, it } from 'vitest';
import { readRecordsFromFileOrThrow } from '../node.js';
import type { AlpacaRecord, OpenAIChatRecord, PreferenceRecord, ShareGPTRecord } from '../records/record-types.js';
import { sharedFile } from '../testing/shared-data.js';
import { convertRecord, toConversation } from './convert-record.js';
import { alpacaToConversation, openAIToConversation, shareGPTToConversation } from './from-records.js';
import { preferenceToConversation, preferenceToPair } from './preference.js';
import { conversationToAlpaca, conversationToOpenAI, conversationToShareGPT } from './to-records.js';

const alpaca: AlpacaRecord = {
  instruction: 'Translate to French.',
  input: 'Good morning',
  output: 'Bonjour',
  system: 'You translate.',
  history: [['Say hi in French.', 'Salut']],
};

describe('Alpaca', () => {
  it('becomes a conversation with the input kept apart and history first', () => {
    expect(alpacaToConversation(alpaca)).toEqual({
      system: 'You translate.',
      messages: [
        { role: 'user', content: 'Say hi in French.' },
        { role: 'assistant', content: 'Salut' },
        { role: 'user', content: 'Translate to French.', input: 'Good morning' },
        { role: 'assistant', content: 'Bonjour' },
      ],
    });
  });

  it('without output is a generation prompt', () => {
    expect(alpacaToConversation({ instruction: 'Name a color.' })).toEqual({ messages: [{ role: 'user', content: 'Name a color.' }] });
  });

  it('round-trips losslessly through a conversation', () => {
    const back = conversationToAlpaca(alpacaToConversation(alpaca));
    expect(back).toEqual({ ok: true, value: alpaca, dropped: [] });
  });

  it('round-trips every record of instruction-data.json', async () => {
    const records = await readRecordsFromFileOrThrow(sharedFile('instruction-data.json'), { kind: 'alpaca' });
    for (const { record } of records) {
      const back = convertRecord(record, { from: 'alpaca', to: 'alpaca' });
      expect(back.ok && back.value).toEqual(record);
      const viaConversation = conversationToAlpaca(alpacaToConversation(record));
      expect(viaConversation.ok && viaConversation.value).toEqual(record);
    }
  });

  it('to OpenAI merges the input into the user message and says so', () => {
    const result = convertRecord(alpaca, { from: 'alpaca', to: 'openai' });
    expect(result).toEqual({
      ok: true,
      value: {
        messages: [
          { role: 'system', content: 'You translate.' },
          { role: 'user', content: 'Say hi in French.' },
          { role: 'assistant', content: 'Salut' },
          { role: 'user', content: 'Translate to French.\nGood morning' },
          { role: 'assistant', content: 'Bonjour' },
        ],
      },
      dropped: ['input (merged into the user message)'],
    });
  });

  it('to ShareGPT uses human/gpt turns and the system column', () => {
    const result = convertRecord({ instruction: 'Hi', input: '', output: 'Hello' }, { from: 'alpaca', to: 'sharegpt' });
    expect(result).toEqual({ ok: true, value: { conversations: [{ from: 'human', value: 'Hi' }, { from: 'gpt', value: 'Hello' }] }, dropped: [] });
  });
});

describe('OpenAI chat', () => {
  const chat: OpenAIChatRecord = {
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi', name: 'ann' },
      { role: 'assistant', content: 'Hello', weight: 0 },
      { role: 'user', content: 'Again' },
      { role: 'assistant', content: 'Hello again', weight: 1 },
    ],
  };

  it('round-trips names and weights', () => {
    const conversation = openAIToConversation(chat);
    expect(conversation.ok && conversation.value.system).toBe('Be brief.');
    const back = conversation.ok ? conversationToOpenAI(conversation.value) : conversation;
    expect(back).toEqual({ ok: true, value: chat, dropped: [] });
  });

  it('to Alpaca keeps the last round and the history, dropping weights and names', () => {
    expect(convertRecord(chat, { from: 'openai', to: 'alpaca' })).toEqual({
      ok: true,
      value: { instruction: 'Again', input: '', output: 'Hello again', system: 'Be brief.', history: [['Hi', 'Hello']] },
      dropped: ['weight', 'name'],
    });
  });

  it('fails on roles that cannot be trained, or that do not alternate', () => {
    const withFunction = { messages: [{ role: 'function', content: '{}' }] } as unknown as OpenAIChatRecord;
    expect(openAIToConversation(withFunction)).toMatchObject({ ok: false, field: 'messages[0].role' });
    const twoUsers: OpenAIChatRecord = { messages: [{ role: 'user', content: 'a' }, { role: 'user', content: 'b' }] };
    expect(openAIToConversation(twoUsers)).toMatchObject({ ok: false, message: expect.stringMatching(/should be an assistant message/) });
    const noAnswer: OpenAIChatRecord = { messages: [{ role: 'user', content: 'a' }] };
    expect(openAIToConversation(noAnswer)).toMatchObject({ ok: false, message: 'the conversation ends without an assistant answer' });
  });
});

describe('ShareGPT', () => {
  const record: ShareGPTRecord = {
    system: 'Sys',
    conversations: [
      { from: 'human', value: 'Q1' },
      { from: 'gpt', value: 'A1' },
      { from: 'human', value: 'Q2' },
      { from: 'gpt', value: 'A2' },
    ],
  };

  it('round-trips through a conversation', () => {
    const conversation = shareGPTToConversation(record);
    expect(conversation.ok && conversationToShareGPT(conversation.value)).toEqual({ ok: true, value: record, dropped: [] });
  });

  it('refuses tool tags', () => {
    const tools: ShareGPTRecord = { conversations: [{ from: 'human', value: 'q' }, { from: 'function_call', value: '{}' }] };
    expect(shareGPTToConversation(tools)).toEqual({ ok: false, message: 'unsupported "from" tag "function_call"', field: 'conversations[1].from' });
  });
});

describe('preference pairs', () => {
  it('with an Alpaca prompt: the chosen side becomes the answer, the rejected one is dropped', async () => {
    const [first] = await readRecordsFromFileOrThrow(sharedFile('instruction-data-with-preference.json'), { kind: 'preference' });
    const result = convertRecord(first!.record, { from: 'preference', to: 'alpaca' });
    expect(result).toEqual({
      ok: true,
      value: {
        instruction: 'Evaluate the following phrase by transforming it into the spelling given.',
        input: 'freind --> friend',
        output: 'The spelling of the given phrase "freind" is incorrect, the correct spelling is "friend".',
      },
      dropped: ['rejected', 'field "output"'],
    });
  });

  it('without a shared prompt: the common leading messages are the prompt', () => {
    const record: PreferenceRecord = {
      chosen: [
        { role: 'user', content: 'Q' },
        { role: 'assistant', content: 'good' },
      ],
      rejected: [
        { role: 'user', content: 'Q' },
        { role: 'assistant', content: 'bad' },
      ],
    };
    expect(preferenceToPair(record)).toEqual({
      ok: true,
      value: { prompt: { messages: [{ role: 'user', content: 'Q' }] }, chosen: [{ role: 'assistant', content: 'good' }], rejected: [{ role: 'assistant', content: 'bad' }] },
      dropped: [],
    });
    const rejected = preferenceToConversation(record, { side: 'rejected' });
    expect(rejected.ok && rejected.value.messages.at(-1)).toEqual({ role: 'assistant', content: 'bad' });
  });

  it('with a text prompt', () => {
    const pair = preferenceToPair({ prompt: 'Q', chosen: 'yes', rejected: 'no', system: 'S' });
    expect(pair.ok && pair.value.prompt).toEqual({ system: 'S', messages: [{ role: 'user', content: 'Q' }] });
  });
});

describe('classification rows', () => {
  it('need an instruction to become instructions', () => {
    const row = { label: 'spam', text: 'WIN a prize' };
    expect(toConversation(row, { kind: 'classification' })).toMatchObject({ ok: false });
    expect(convertRecord(row, { from: 'classification', to: 'alpaca', instruction: 'Spam or ham?' })).toEqual({
      ok: true,
      value: { instruction: 'Spam or ham?', input: 'WIN a prize', output: 'spam' },
      dropped: [],
    });
  });

  it('cannot be produced from other kinds', () => {
    expect(convertRecord(alpaca, { from: 'alpaca', to: 'classification' })).toEqual({ ok: false, message: 'cannot convert alpaca records to classification records' });
  });
});
