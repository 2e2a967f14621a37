/**
 * The one place that binds the module's services and fans them out to the host's contribution
 * points. The host binds the ports (src/host/tokens.ts) before loading this.
 */
import { ContainerModule } from 'inversify';

export const containerModule = new ContainerModule(() => {
  // Contributions are bound here as the capabilities land (see module.json for the declared ids).
});
