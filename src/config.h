/* config: the settings the server runs with, from the command line and the configuration file. */
#ifndef ALMANAC_CONFIG_H
#define ALMANAC_CONFIG_H

#include <stddef.h>

#define MAX_HOSTS	32
#define MAX_ALIASES	16
#define ALMANAC_VERSION	"0.1.0"
#define MAX_LISTEN	16
#define MAX_LOCATIONS	64
#define MAX_ALLOW	64
#define MAX_FASTCGI_PARAMS	32
#define FASTCGI_MAX_CONNS	32	/* default of 'fastcgi max connections' */
#define FASTCGI_PATH_MAX	108	/* a sockaddr_un's sun_path */
#define MAX_TITAN_TOKENS	16
#define TITAN_MAX_SIZE	(1024LL * 1024)	/* 'titan max size' unless set */

struct allowset;
struct proxy_upstream;

/* proxy ...: a block whose requests go on to another Gemini server. */
struct proxy_conf {
	char	*relay_to;		/* "HOST:PORT"; NULL: not a proxy */
	char	*sni;			/* NULL: the host of relay_to */
	char	*cert;			/* a client certificate towards it */
	char	*key;
	int	 noverifyname;		/* 1: its certificate's names unchecked */
	struct proxy_upstream	*up;	/* built from the rest by the server */
};

/* fastcgi param NAME "VALUE": sent to the application, over a built-in one. */
struct fastcgi_param {
	char	*name;
	char	*value;
};

/*
 * Where a FastCGI application listens and what it is sent: 'fastcgi
 * socket' names it (a Unix socket path, or a TCP host and port), the
 * other 'fastcgi' options may come before it in the block.
 */
struct fastcgi_app {
	char			*socket_path;	/* absolute, or NULL for TCP */
	char			*tcp_host;	/* a name or an address, or NULL */
	char			*tcp_port;	/* digits, "9000" by default */
	struct fastcgi_param	 params[MAX_FASTCGI_PARAMS];
	size_t			 nparams;
	int			 max_conns;	/* open to it at once, -1: default */
};

/*
 * What a server block or a location says about serving a path.  In a
 * location, an unset field (NULL, or -1) comes from its server block.
 */
struct rules {
	char	*lang;
	char	*default_type;		/* for files nothing else names */
	int	 auto_index;		/* directory listings: 1 on, 0 off */
	char	*index;			/* the file a directory serves */
	int	 block_code;		/* 0: not blocked */
	char	*block_meta;		/* with %p %q %P %N %% */
	int	 require_cert;		/* 1: 60 without a client certificate */
	char	*allow[MAX_ALLOW];	/* fingerprints as written */
	size_t	 nallow;
	char	*allow_files[MAX_ALLOW];
	size_t	 nallow_files;
	struct allowset	*allowset;	/* built from the two by the server */
	struct fastcgi_app	*fastcgi;	/* paths go to an application, or NULL */
	int		 fastcgi_off;	/* 'fastcgi off': not the server block's */
	struct proxy_conf	 proxy;
	int	 titan;			/* Titan uploads: 1 on, 0 off */
	char	*titan_tokens[MAX_TITAN_TOKENS];	/* 'titan token', in order */
	size_t	 ntitan_tokens;
	long long titan_max_size;	/* bytes an upload may have */
};

/* location "PATTERN" { ... }: rules for the paths the glob matches. */
struct location {
	char		*pattern;	/* fnmatch(3) against "/decoded/path" */
	struct rules	 r;
	int		 line;		/* in the configuration file */
};

/* How a capsule is watched for changes: 'watch' in the file. */
enum config_watch {
	CONFIG_WATCH_UNSET,	/* a server block: as the global part says */
	CONFIG_WATCH_AUTO,	/* polling on network file systems, else inotify */
	CONFIG_WATCH_INOTIFY,
	CONFIG_WATCH_POLL
};

#define CONFIG_POLL_SECONDS	2	/* 'watch poll' without an interval */

enum log_format {
	LOG_FORMAT_ALMANAC,	/* time client "request" status bytes duration */
	LOG_FORMAT_COMMON	/* Apache/NCSA common log format */
};

/* One capsule (virtual host), chosen by TLS SNI and the URL's host. */
struct host {
	char	*name;			/* certificate CN, absolute URLs in feeds */
	char	*aliases[MAX_ALIASES];	/* further names it answers for */
	size_t	 naliases;
	char	*root;			/* capsule directory */
	char	*document_root;		/* root made absolute, by config_finish */
	char	*certs;			/* directory of cert.pem and key.pem */
	char	*cert_file;		/* explicit files; both or neither */
	char	*key_file;
	size_t	 feed_max;
	int	 navigation;		/* 0 on, 1 dated pages only, 2 off */
	enum config_watch watch;	/* UNSET: the global one */
	int	 watch_poll_s;		/* with CONFIG_WATCH_POLL */
	struct rules	 r;		/* the server block's own rules */
	struct location	*locations;	/* in file order; the first match applies */
	size_t		 nlocations;
};

/* Every string is owned by the config (heap copies) and freed by config_free. */
struct config {
	struct host	 hosts[MAX_HOSTS];	/* hosts[0]: clients without SNI */
	size_t		 nhosts;
	char		*listen[MAX_LISTEN];	/* "host:port", "[v6]:port", "*:port" */
	int		 listen_proxy[MAX_LISTEN];	/* a PROXY header comes first */
	size_t		 nlisten;
	int		 workers;		/* event loops, 0: one per core */
	int		 request_timeout_ms;	/* accept to a full request line */
	int		 write_timeout_ms;	/* a client that stops reading */
	int		 lifetime_ms;		/* a connection's whole life */
	int		 max_conns;
	int		 max_per_addr;		/* open connections per client address, 0: no limit */
	int		 rate_per_addr;		/* requests per second per client address, 0: no limit */
	char		*user;			/* drop to this user when started as root */
	char		*log_file;		/* NULL: stderr */
	char		*ticket_keys;		/* shared session-ticket keys, or NULL */
	char		*state_dir;		/* each host's publication dates ("state") */
	int		 log_syslog;
	enum log_format	 log_format;
	enum config_watch watch;		/* every capsule's, unless its block says */
	int		 watch_poll_s;
};

/* Defaults, no hosts. */
void	config_init(struct config *);
void	config_free(struct config *);
/* A new location of h, its rules unset, or NULL past MAX_LOCATIONS. */
struct location	*config_add_location(struct host *, const char *);
/* The rules' FastCGI application, made empty (no socket yet) if absent. */
struct fastcgi_app	*config_fastcgi(struct rules *);
/* A new host with the defaults (root "capsule", certs "certs", lang "en"), or NULL when full. */
struct host	*config_add_host(struct config *, const char *);
/* Fills what is still missing: a "localhost" host, the localhost:1965 listener, the state directory. */
int	config_finish(struct config *, char *, size_t);
/* Host names compare without case and without a final dot. */
int	config_same_name(const char *, size_t, const char *);
/* The index of the host named 'name' (or one of its aliases), or -1. */
int	config_find_host(const struct config *, const char *, size_t);
/* How host h is watched (never UNSET), and the polling interval in *seconds. */
enum config_watch config_watch_of(const struct config *, const struct host *,
	    int *);
/* strdup that aborts the program on failure: configuration happens at start-up only. */
char	*config_strdup(const char *);

#endif
