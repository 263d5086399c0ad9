/** Every operation of the API, in one table: registered by createApp and walked by the security suite. */
import type { Operation } from "../http/operation";
import { decide } from "./decide";
import { createDealer, getDealer, listDealers } from "./dealers";
import { getHealth } from "./health";
import { createKey, listKeys, revokeKey } from "./keys";

export const operations: Operation[] = [getHealth, listDealers, createDealer, getDealer, listKeys, createKey, revokeKey, decide];
