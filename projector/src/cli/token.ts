import { loadConfig } from '@iwf/platform/config/config';
import { mintToken } from '@iwf/platform/auth/jwt';
import { ROLES } from '@iwf/contracts';
import { parseOptions, type CliCommand } from './command.js';

export const tokenCommand: CliCommand = {
  name: 'token',
  summary: 'Mint a bearer token for local use (signed with JWT_SECRET)',
  usage: `Usage: iwf token [--tenant T] [--actor A] [--roles r1,r2] [--expires-in 12h]

Prints an HS256 token signed with JWT_SECRET (the development key when unset).
Roles: ${ROLES.join(', ')}. Defaults: tenant "dev", actor "dev-user", roles "admin".`,
  async run(args) {
    const { values } = parseOptions(args, {
      tenant: { type: 'string', default: 'dev' },
      actor: { type: 'string', default: 'dev-user' },
      roles: { type: 'string', default: 'admin' },
      'expires-in': { type: 'string', default: '12h' },
    });
    const config = loadConfig();
    if (!config.jwt.secret) throw new Error('no JWT_SECRET configured');
    const token = await mintToken(config.jwt.secret, {
      tenant: values.tenant,
      actor: values.actor,
      roles: values.roles.split(',').map((role) => role.trim()).filter(Boolean),
      expiresIn: values['expires-in'],
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
    });
    process.stdout.write(`${token}\n`);
    return 0;
  },
};
