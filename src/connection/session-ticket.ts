import type {TicketProvider} from '../soap/client.js'

/** The ticket of one command's session; a re-login replaces it here, and the next request sends the new one. */
export class SessionTicket implements TicketProvider {
  constructor(private value: string | undefined) {}

  current(): string | undefined {
    return this.value
  }

  replace(ticket: string): void {
    this.value = ticket
  }
}
