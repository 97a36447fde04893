/** The directory is not a rill WAL, is damaged, in use, or cannot be opened; the message names the path. */
export class WalStoreError extends Error {}
