/**
 * Publishes host events (order.created, order.shipped, order.canceled, order.refunded,
 * order.completed) to the modules' EventObserver
 * contributions. Observers run one after another after the change is committed; an observer that
 * fails is logged and never undoes the change or stops the others.
 */
import type { EventObserverContribution } from '../../src/host/contributions.ts';
import type { LoggerPort } from '../../src/host/ports.ts';

export class EventBus {
  private observers: () => EventObserverContribution[] = () => [];

  constructor(private readonly logger: LoggerPort) {}

  /** Called once the modules are loaded; until then events reach no one. */
  setObservers(observers: () => EventObserverContribution[]): void {
    this.observers = observers;
  }

  async publish(event: string, payload: Record<string, unknown>): Promise<void> {
    for (const observer of this.observers().filter((o) => o.event === event)) {
      try {
        await observer.handle(payload);
      } catch (error) {
        this.logger.error('Event observer failed', { observer: observer.id, event, error });
      }
    }
  }
}
