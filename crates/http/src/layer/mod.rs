//! Tower layers: content ETags for responses, and RFC 9110 conditions evaluated outermost.
