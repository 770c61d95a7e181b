/**
 * The modules the product extracts, by API name, in load order. All but `users` are exported with the Bulk Read
 * API; users have no bulk read and come from the users API (`GET /crm/v8/users`).
 */
export const BULK_MODULES = [
  'Leads',
  'Accounts',
  'Contacts',
  'Deals',
  'Campaigns',
  'Tasks',
  'Cases',
  'Calls',
  'Solutions',
  'Products',
  'Vendors',
  'Price_Books',
  'Quotes',
  'Sales_Orders',
  'Purchase_Orders',
  'Invoices',
] as const;

/** The stream of CRM users, read through the users API. */
export const USERS_STREAM = 'users';

/** Every module of {@link BULK_MODULES} plus `users`: the default selection. */
export const DEFAULT_MODULES: string[] = [...BULK_MODULES, USERS_STREAM];

/**
 * Modules the Bulk Read API refuses: "supported for all modules except Notes, Attachments, Emails, and related and
 * cross modules" (https://www.zoho.com/crm/developer/docs/api/bulk-read/limitations.html).
 */
export const NO_BULK_READ = new Set(['Notes', 'Attachments', 'Emails']);
