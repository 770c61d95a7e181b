/** The worker thread of target-redshift's record encoding pool (`workers`): see `FastRowEncoder`. */
import { serveRecordEncoding } from '@observes/target-core/record-encoding-worker';
import { FastRowEncoder, type FastRowsInit } from './fast-rows.js';

serveRecordEncoding((init) => new FastRowEncoder(init as FastRowsInit));
