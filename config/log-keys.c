/* log-keys: parsers of the step-5 log keys; see log-keys.h. */
#include "log-keys.h"

#include <errno.h>

#include "values.h"

_Static_assert(CONFIG_LOG_BUFFER_MIN == 4 * 1024 && CONFIG_LOG_BUFFER_MAX == 64 * 1024 * 1024,
               "the log_buffer range error says 4K..64M");

int unit_parse_log_buffer(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset) {
        const char *s = cfg_getstr(u->sec, key);
        uint64_t v;
        int r;

        (void)offset;
        if (!s)
                return 0;
        r = parse_size(s, &v);
        if (r == -ERANGE || (r >= 0 && (v < CONFIG_LOG_BUFFER_MIN || v > CONFIG_LOG_BUFFER_MAX)))
                return unit_ctx_error(u, key, 0, 1, "size '%s' out of range (4K..64M)", s);
        if (r < 0)
                return unit_ctx_error(u, key, 0, 1, "invalid size '%s'", s);
        uc->log_buffer = v;
        return 0;
}

int unit_parse_log_rate(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset) {
        (void)offset;
        return unit_ctx_get_unsigned(u, key, 0, CONFIG_MAX_LOG_RATE, &uc->log_rate); /* 0: unlimited */
}
