/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvtbctl - what the commands in other files share with hvtbctl.c.
 */
#ifndef HVTBCTL_RUN_H
#define HVTBCTL_RUN_H

int hvtbctl_open(int *fdp);
int hvtbctl_cmd_run(int argc, char **argv);
/* workers.c: running hvtb-workers, through their control sockets */
int hvtbctl_cmd_workers(int argc, char **argv);
int hvtbctl_cmd_devices(int argc, char **argv);
int hvtbctl_cmd_shutdown(int argc, char **argv);
int hvtbctl_cmd_control(int argc, char **argv);
int hvtbctl_cmd_kvp(int argc, char **argv);

#endif /* HVTBCTL_RUN_H */
