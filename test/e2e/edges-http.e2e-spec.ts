import { useTestApp } from '../helpers/test-app';

describe('HTTP edges', () => {
  // The test client is the trusted proxy: its X-Forwarded-Proto says how the request came.
  const server = useTestApp({ TRUST_PROXY: 'true' });

  describe('Content-Security-Policy', () => {
    const upgrade = /(^|;)\s*upgrade-insecure-requests/;

    it('does not ask a browser on plain http to upgrade its requests (/docs would be blank)', async () => {
      for (const path of ['/docs', '/health/live']) {
        const response = await fetch(new URL(path, server.api.baseUrl));
        expect(response.status).toBe(200);
        const policy = response.headers.get('content-security-policy');
        expect(policy).toContain("default-src 'self'");
        expect(policy).not.toMatch(upgrade);
      }
    });

    it('asks for upgrades over https, as a trusted proxy says (TRUST_PROXY=true)', async () => {
      const url = new URL('/health/live', server.api.baseUrl);
      const secure = await fetch(url, { headers: { 'x-forwarded-proto': 'https' } });
      expect(secure.headers.get('content-security-policy')).toMatch(upgrade);
      const plain = await fetch(url, { headers: { 'x-forwarded-proto': 'http' } });
      expect(plain.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(plain.headers.get('content-security-policy')).not.toMatch(upgrade);
    });
  });
});
