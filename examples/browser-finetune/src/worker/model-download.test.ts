import { describe, expect, it } from 'vitest';
import { modelFolderUrl } from './model-download';

describe('modelFolderUrl', () => {
  it('turns a Hub id into its resolve/main folder', () => {
    expect(modelFolderUrl('openai-community/gpt2')).toBe('https://huggingface.co/openai-community/gpt2/resolve/main');
    expect(modelFolderUrl(' gpt2 ')).toBe('https://huggingface.co/gpt2/resolve/main');
  });

  it('keeps an http(s) URL, without trailing slashes', () => {
    expect(modelFolderUrl('http://127.0.0.1:8080/models/tiny-gpt2/')).toBe('http://127.0.0.1:8080/models/tiny-gpt2');
  });

  it('refuses anything else, naming the field', () => {
    expect(() => modelFolderUrl('ftp://example.com/gpt2')).toThrow(/^Model URL: "ftp:\/\/example.com\/gpt2" is neither an http\(s\) URL nor a Hugging Face model id/);
  });
});
