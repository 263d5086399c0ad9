/** Every operation of the API, in one table: registered by createApp and walked by the security suite. */
import type { Operation } from "../http/operation";
import { deleteAction, listActions, upsertAction } from "./actions";
import { listAudit } from "./audit";
import { decide } from "./decide";
import { attributeOutcomeOp, recordOutcomeOp } from "./outcomes";
import { createDealer, getDealer, listDealers } from "./dealers";
import { getHealth } from "./health";
import { ingestEventsOp, linkIdentities } from "./events";
import { createKey, listKeys, revokeKey, rotateKey, updateKey } from "./keys";
import { eraseProfile, exportProfileOp, getProfile, lookupProfile, putConsent, unmergeProfiles } from "./profiles";
import { getSettings, putSettings } from "./settings";
import { getUplift } from "./uplift";
import { decodeVin, getVehicle } from "./vehicles";
import { getDrivingReport } from "./reports";
import { runServiceRemindersOp } from "./campaigns";
import { cancelBookingLink, getBookingLink, getUnsubscribeLink, useBookingLink, useUnsubscribeLink } from "./links";
import { bookSlot, cancelBooking, listBookings, listServiceSlots, putServiceSlots, rescheduleBooking } from "./slots";
import {
  createWebhook,
  deleteWebhook,
  listLeads,
  listWebhookDeliveries,
  listWebhooks,
  replayWebhookDelivery,
} from "./webhooks";

export const operations: Operation[] = [
  getHealth,
  listDealers,
  createDealer,
  getDealer,
  listKeys,
  createKey,
  revokeKey,
  rotateKey,
  updateKey,
  ingestEventsOp,
  linkIdentities,
  lookupProfile,
  getProfile,
  putConsent,
  exportProfileOp,
  eraseProfile,
  unmergeProfiles,
  decodeVin,
  getVehicle,
  getDrivingReport,
  listActions,
  upsertAction,
  deleteAction,
  decide,
  recordOutcomeOp,
  attributeOutcomeOp,
  getSettings,
  putSettings,
  listAudit,
  getUplift,
  // issue 10 (channels)
  putServiceSlots,
  listServiceSlots,
  bookSlot,
  listBookings,
  cancelBooking,
  rescheduleBooking,
  getBookingLink,
  useBookingLink,
  cancelBookingLink,
  getUnsubscribeLink,
  useUnsubscribeLink,
  runServiceRemindersOp,
  createWebhook,
  listWebhooks,
  deleteWebhook,
  listWebhookDeliveries,
  replayWebhookDelivery,
  listLeads,
];
