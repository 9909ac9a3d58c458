/** The trader a request is authenticated as. */
export interface AuthenticatedTrader {
  id: string;
  webhookSecret: string;
}

/** Express request with the authenticated trader attached by the guard. */
export interface TraderRequest {
  headers: Record<string, string | string[] | undefined>;
  trader?: AuthenticatedTrader;
}
