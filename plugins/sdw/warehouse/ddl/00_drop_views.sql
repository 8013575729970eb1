-- ---------------------------------------------------------------- audit views: dropped first
-- The views of zz_views.sql read several sources' raw tables. PostgreSQL pins every column a view
-- reads: while the view exists, a source's DDL could not change such a column's type. So they
-- are dropped here, before any source's DDL runs, and made again by zz_views.sql after the last;
-- bootstrap runs all of it in one transaction, so no reader ever finds them missing.
DROP VIEW IF EXISTS audit.ambiguous_delivery;
