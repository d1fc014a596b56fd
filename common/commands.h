/*
 * commands.h - the subcommands of pagereplay.  Each takes the argv that
 * starts with its own name (argv[0] = "replay", ...) and returns the exit
 * status: 0 success, 1 failure, 2 usage (cli.h).  The owner of each is the
 * folder named beside it.
 */
#ifndef PR_COMMANDS_H
#define PR_COMMANDS_H

int	cmd_record_ebpf(int argc, char **argv);	/* capture/record.c */
int	cmd_record_pcap(int argc, char **argv);	/* capture/pcap_http.c */
int	cmd_info(int argc, char **argv);	/* replay/cmd_info.c */
int	cmd_synth(int argc, char **argv);	/* workloads/synth/synth.c */
int	cmd_replay(int argc, char **argv);	/* replay/cmd_replay.c */
int	cmd_sweep(int argc, char **argv);	/* replay/cmd_sweep.c */
int	cmd_simulate(int argc, char **argv);	/* replay/cmd_simulate.c */
int	cmd_plot(int argc, char **argv);	/* replay/cmd_plot.c */
int	cmd_merge(int argc, char **argv);	/* replay/cmd_merge.c */
int	cmd_report(int argc, char **argv);	/* replay/cmd_report.c */
int	cmd_footprint(int argc, char **argv);	/* replay/cmd_footprint.c */

#endif /* PR_COMMANDS_H */
