import { describe, expect, it } from 'vitest';
import { credentialUrlProblem, isLoopbackHost } from './secure-url.js';

describe('credentialUrlProblem', () => {
  it('accepts https anywhere, and plain http only for a loopback host', () => {
    for (const url of [
      'https://oauth2.googleapis.com/token',
      'https://10.0.0.5:8443/token',
      'http://127.0.0.1:4010/token',
      'http://127.12.0.9/',
      'http://localhost:4010/',
      'http://LOCALHOST./',
      'http://[::1]:4010/',
      'http://[0:0:0:0:0:0:0:1]/',
      'http://[::ffff:127.0.0.1]/',
      // Spellings the URL parser normalises to 127.0.0.1.
      'http://2130706433/',
      'http://0x7f.1/',
    ]) {
      expect(credentialUrlProblem(url), url).toBeNull();
    }
  });

  it('refuses plain http to any other host, and other schemes, without quoting the URL', () => {
    for (const url of [
      'http://token.example/token',
      'http://10.0.0.5/token?key=s3cret-query',
      'http://user:s3cret-pw@128.0.0.1/',
      'http://localhost.evil.example/',
      'http://[::2]/',
      'http://0.0.0.0/',
    ]) {
      const problem = credentialUrlProblem(url);
      expect(problem, url).toBe(
        'must be https:// (plain http:// only for a loopback host: localhost, 127.0.0.0/8 or ::1)',
      );
      expect(problem).not.toContain('s3cret');
    }
    for (const url of ['ftp://127.0.0.1/', 'not a url', 'file:///etc/passwd']) {
      expect(credentialUrlProblem(url), url).toBe('must be an https:// URL');
    }
  });

  it('tells a loopback host name from others', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('::1')).toBe(true);
    expect(isLoopbackHost('people.googleapis.com')).toBe(false);
    expect(isLoopbackHost('192.168.1.10')).toBe(false);
  });
});
