/** The GCP side of the ports, from settings: the Firestore store and dead letters, sharing one client. */
import type { GcpStoreSettings } from '../settings.ts';
import { createFirestore } from './firestore-client.ts';
import { FirestoreDeadLetters } from './firestore-dead-letters.ts';
import { FirestoreStore } from './firestore-store.ts';

export function createGcpStores(settings: GcpStoreSettings) {
  const firestore = createFirestore(settings);
  return {
    store: new FirestoreStore({
      firestore,
      aggregatesCollection: settings.aggregatesCollection,
      syncStateCollection: settings.syncStateCollection,
    }),
    deadLetters: new FirestoreDeadLetters({ firestore, collection: settings.deadLettersCollection }),
    close: () => firestore.terminate(),
  };
}
