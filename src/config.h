/* config: the settings the server runs with, filled in from the command line. */
#ifndef ALMANAC_CONFIG_H
#define ALMANAC_CONFIG_H

#include <stddef.h>

#define MAX_HOSTNAMES	16
#define MAX_LISTEN	16

struct config {
	const char	*root;
	const char	*certs;
	const char	*lang;
	char		*hostnames[MAX_HOSTNAMES];
	size_t		 nhostnames;
	char		*listen[MAX_LISTEN];	/* "host:port" as given */
	size_t		 nlisten;
	int		 workers;		/* event loops, 0: one per core */
	int		 request_timeout_ms;	/* accept to a full request line */
	int		 write_timeout_ms;	/* a client that stops reading */
	int		 lifetime_ms;		/* a connection's whole life */
	int		 max_conns;
	size_t		 feed_max;
};

#endif
