import { afterEach, describe, expect, it } from 'vitest';
import { createNodeWebGPU, NodeWebGPUError } from '../node';

const saved = { ...process.env };
afterEach(() => {
  for (const name of ['VK_ICD_FILENAMES', 'NODEVICE_SELECT', 'EGL_PLATFORM']) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

describe('createNodeWebGPU errors', () => {
  it('a missing SwiftShader ICD names the packages and the environment variable', async () => {
    const error = (await createNodeWebGPU({ driver: 'swiftshader', swiftShaderIcd: '/nonexistent/vk_swiftshader_icd.json' }).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(NodeWebGPUError);
    expect(error.message).toContain('/nonexistent/vk_swiftshader_icd.json');
    expect(error.message).toContain('apt-get install -y --no-install-recommends chromium libvulkan1');
    expect(error.message).toContain('VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json');
    expect(process.env.VK_ICD_FILENAMES).toBe(saved.VK_ICD_FILENAMES); // nothing changed on failure
  });

  it('an unknown driver lists the known ones', async () => {
    await expect(createNodeWebGPU({ driver: 'metal2' as never })).rejects.toThrow(/Unknown driver "metal2" \(system, swiftshader, opengl\)/);
  });
});
