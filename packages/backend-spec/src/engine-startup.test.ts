import { describe, expect, it } from 'vitest';
import { engineStartup, type EngineSelector } from './engine-startup';

/** A fake tfjs engine registry: records which backend is active and which switches were asked for. */
function fakeEngine(registered: string[]): EngineSelector & { active: string; switches: string[] } {
  return {
    active: 'none',
    switches: [],
    getBackend() {
      return this.active;
    },
    async setBackend(name: string) {
      this.switches.push(name);
      if (!registered.includes(name)) return false;
      this.active = name;
      return true;
    },
  };
}

describe('engineStartup', () => {
  it('starts once for concurrent and later inits, and re-selects its engine when something switched away', async () => {
    const tf = fakeEngine(['cpu', 'webgpu']);
    let starts = 0;
    const startup = engineStartup({ start: async () => {
      starts += 1;
      await tf.setBackend('webgpu');
      return 'webgpu';
    }, tf });
    await Promise.all([startup.init(), startup.init()]);
    expect(starts).toBe(1);
    tf.active = 'cpu'; // another model or the application switched tfjs
    await startup.init();
    expect(starts).toBe(1);
    expect(tf.active).toBe('webgpu');
  });

  it('retries a start that failed, and starts again after reset', async () => {
    const tf = fakeEngine(['cpu']);
    let starts = 0;
    const startup = engineStartup({ start: async () => {
      starts += 1;
      if (starts === 1) throw new Error('driver missing');
      await tf.setBackend('cpu');
      return 'cpu';
    }, tf });
    await expect(startup.init()).rejects.toThrow('driver missing');
    await startup.init();
    expect(starts).toBe(2);
    await startup.reset();
    await startup.init();
    expect(starts).toBe(3);
  });

  it('says so when tfjs cannot switch back to the started engine', async () => {
    const tf = fakeEngine([]);
    const startup = engineStartup({ start: async () => 'webgpu', tf });
    await expect(startup.init()).rejects.toThrow('tfjs could not switch back to its webgpu backend');
  });
});
