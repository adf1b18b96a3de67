// SPDX-License-Identifier: GPL-2.0
/*
 * The shim's "config" module parameter: per-adapter configuration values
 * that NdisReadConfiguration and NdisReadNetworkAddress return, settable
 * at load (ndis_shim.config=...) and at run time
 * (/sys/module/ndis_shim/parameters/config, mode 0644) without
 * recompiling anything. The format is in Documentation/configuration.rst
 * and rust/core/config.rs, which checks a new text (a malformed one is
 * refused with -EINVAL and the old text kept). Each NdisOpenConfigurationEx
 * takes a copy (rust/configuration.rs): a write changes what configurations
 * opened later read, never an open one.
 *
 * Kept in C because kernel Rust's module! parameters are read-only
 * integers; the text lives under its own mutex (PASSIVE_LEVEL readers only).
 */
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/string.h>

#include "helpers.h"

/* The longest text the parameter holds, its NUL included. */
#define NDIS_SHIM_CONFIG_MAX 4096

/* In rust/configuration.rs: whether @len bytes at @text are a valid text. */
bool ndis_shim_config_valid(const char *text, size_t len);

static DEFINE_MUTEX(config_lock);
static char config_text[NDIS_SHIM_CONFIG_MAX];

static int config_set(const char *val, const struct kernel_param *kp)
{
	size_t len = strlen(val);

	/* "echo" adds a newline. */
	if (len && val[len - 1] == '\n')
		len--;
	if (len >= NDIS_SHIM_CONFIG_MAX)
		return -ENOSPC;
	if (!ndis_shim_config_valid(val, len))
		return -EINVAL;
	mutex_lock(&config_lock);
	memcpy(config_text, val, len);
	config_text[len] = '\0';
	mutex_unlock(&config_lock);
	return 0;
}

static int config_get(char *buf, const struct kernel_param *kp)
{
	int n;

	mutex_lock(&config_lock);
	n = scnprintf(buf, PAGE_SIZE, "%s\n", config_text);
	mutex_unlock(&config_lock);
	return n;
}

static const struct kernel_param_ops config_ops = {
	.set = config_set,
	.get = config_get,
};

module_param_cb(config, &config_ops, NULL, 0644);
MODULE_PARM_DESC(config,
		 "per-adapter NDIS configuration: DEVICE/Keyword=Value ... (DEVICE: PCI name or *)");

/* Copies the text (NUL included) into @buf of @size bytes; returns its
 * length, or the size needed if @buf is too small (nothing copied then). */
size_t ndis_shim_config_copy(char *buf, size_t size)
{
	size_t len;

	mutex_lock(&config_lock);
	len = strlen(config_text);
	if (len < size)
		memcpy(buf, config_text, len + 1);
	mutex_unlock(&config_lock);
	return len;
}

/* The most bytes ndis_shim_config_copy() can copy. */
size_t ndis_shim_config_max(void)
{
	return NDIS_SHIM_CONFIG_MAX;
}
