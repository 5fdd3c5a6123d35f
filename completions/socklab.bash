# socklab(1) completion for bash, socklab 0.2.0 - written by `socklab --generate bash` (make generate):
# edit the descriptions (demos/command.h says where), not this file.

# The words as typed: bash splits "unix:/tmp/x" and "--opt=value" at ':' and '=', and this joins
# them again where no blank separated them in COMP_LINE. Sets words and cword.
_socklab_words() {
	local line=${COMP_LINE-${COMP_WORDS[*]}} rest w i j=0
	words=() cword=0
	for ((i = 0; i < ${#COMP_WORDS[@]}; i++)); do
		w=${COMP_WORDS[i]}
		rest=${line#"${line%%[![:blank:]]*}"}
		if ((i > 0 && ${#rest} == ${#line})) && [[ $w == [:=]* || ${words[j - 1]} == *[:=] ]]; then
			words[j - 1]+=$w
		else
			words[j++]=$w
		fi
		line=${rest#"$w"}
		((i == COMP_CWORD)) && cword=$((j - 1))
	done
}

# Adds to COMPREPLY each candidate that starts with $1.
_socklab_add() {
	local cur=$1 w
	shift
	for w; do [[ $w == "$cur"* ]] && COMPREPLY+=("$w"); done
}

# Files and directories that start with $2, each after the prefix $1; a directory ends with '/'.
_socklab_files() {
	local pre=$1 f IFS=$'\n'
	for f in $(compgen -f -- "$2"); do
		if [[ -d $f ]]; then COMPREPLY+=("$pre$f/"); else COMPREPLY+=("$pre$f"); fi
	done
}

# An endpoint: its scheme first (tc -> tcp://), then a host, or a socket file's path.
_socklab_endpoint() {
	local cur=$1
	case $cur in
	unix:*|unixgram:*|unixpacket:*)
		[[ ${cur#*:} == @* ]] || _socklab_files "${cur%%:*}:" "${cur#*:}" ;;
	tcp://*|udp://*|rdt://*)
		local s=${cur%%://*}://
		[[ ${cur#*://} == *:* ]] || _socklab_add "$cur" "${s}127.0.0.1:" "${s}[::1]:" "${s}localhost:" ;;
	*) _socklab_add "$cur" tcp:// udp:// unix: unixgram: unixpacket: rdt:// ;;
	esac
}

# Completes $2 as a value of the kind $1 ("one:WORDS", "list:WORDS", endpoint, target, file).
_socklab_value() {
	local cur=$2
	case $1 in
	one:*) _socklab_add "$cur" ${1#one:} ;;
	list:*)
		local head=
		[[ $cur == *,* ]] && head=${cur%,*},
		set -- ${1#list:}
		_socklab_add "$cur" "${@/#/$head}" ;;
	endpoint) _socklab_endpoint "$cur" ;;
	target) _socklab_add "$cur" tcp udp unix unixgram unixpacket rdt; _socklab_endpoint "$cur" ;;
	file) _socklab_files "" "$cur" ;;
	esac
}

# The options of command $1.
_socklab_options() {
	case $1 in
	echo-server) echo --quiet --poller --idle --mode --trace --help ;;
	echo-client) echo --timeout --trace --help ;;
	load) echo --clients --messages --size --window --seed --timeout --poller --json --trace --help ;;
	chat-server) echo --seed --quiet --idle --mode --trace --help ;;
	chat-client) echo --timeout --trace --help ;;
	send) echo --size --rate --timeout --trace --help ;;
	recv) echo --timeout --rcvbuf --slow --mode --trace --help ;;
	pitfalls) echo --help ;;
	bench) echo --transports --test --seconds --pin --batch --json --loss --seed --help ;;
	fdpass) echo --help ;;
	creds) echo --help ;;
	socketpair) echo --help ;;
	multicast) echo --receivers -4 -6 --host --trace --help ;;
	contrast) echo --transports --scenarios --format --width --impair --filtered --trace --help ;;
	congestion) echo --rate --buffer --loss --delay --cc --flows --stagger --seconds --interval --format --seed --help ;;
	wire) echo --scenario --format --explain --pcap --loss --seed --help ;;
	esac
}

# What option $2 of command $1 takes; fails when it takes no value.
_socklab_option() {
	case $1:$2 in
	echo-server:--poller) echo "one:poll epoll" ;;
	echo-server:--idle) echo text ;;
	echo-server:--mode) echo text ;;
	echo-client:--timeout | echo-client:-w) echo text ;;
	load:--clients) echo text ;;
	load:--messages) echo text ;;
	load:--size) echo text ;;
	load:--window) echo text ;;
	load:--seed) echo text ;;
	load:--timeout) echo text ;;
	load:--poller) echo "one:poll epoll" ;;
	chat-server:--seed) echo text ;;
	chat-server:--idle) echo text ;;
	chat-server:--mode) echo text ;;
	chat-client:--timeout | chat-client:-w) echo text ;;
	send:--size) echo text ;;
	send:--rate) echo text ;;
	send:--timeout) echo text ;;
	recv:--timeout) echo text ;;
	recv:--rcvbuf) echo text ;;
	recv:--slow) echo text ;;
	recv:--mode) echo text ;;
	bench:--transports) echo "list:tcp udp unix unixgram unixpacket rdt" ;;
	bench:--test) echo "one:rtt bulk all nagle" ;;
	bench:--seconds) echo text ;;
	bench:--pin) echo "one:same split both none" ;;
	bench:--batch) echo text ;;
	bench:--loss) echo text ;;
	bench:--seed) echo text ;;
	multicast:--receivers) echo text ;;
	contrast:--transports) echo "list:tcp udp unix unixgram unixpacket rdt" ;;
	contrast:--scenarios) echo "list:handshake boundaries empty end size buffer flow greeting clients restart calls delivery descriptors credentials one-to-many stranger" ;;
	contrast:--format) echo "one:text markdown json mermaid sequence" ;;
	contrast:--width) echo text ;;
	contrast:--impair) echo text ;;
	contrast:--filtered) echo text ;;
	congestion:--rate) echo text ;;
	congestion:--buffer) echo text ;;
	congestion:--loss) echo text ;;
	congestion:--delay) echo text ;;
	congestion:--cc) echo "list:reno cubic bbr aimd" ;;
	congestion:--flows) echo text ;;
	congestion:--stagger) echo text ;;
	congestion:--seconds) echo text ;;
	congestion:--interval) echo text ;;
	congestion:--format) echo "one:chart json csv" ;;
	congestion:--seed) echo text ;;
	wire:--scenario) echo "one:echo handshake refused half-close no-server loss" ;;
	wire:--format) echo "one:ladder mermaid json" ;;
	wire:--pcap) echo file ;;
	wire:--loss) echo text ;;
	wire:--seed) echo text ;;
	*) return 1 ;;
	esac
}

# What operand $2 (from 0) of command $1 is; fails past the last.
_socklab_operand() {
	case $1:$2 in
	echo-server:0) echo endpoint ;;
	echo-client:0) echo endpoint ;;
	echo-client:*) echo text ;;
	load:0) echo endpoint ;;
	chat-server:0) echo endpoint ;;
	chat-client:0) echo endpoint ;;
	send:0) echo endpoint ;;
	send:1) echo file ;;
	recv:0) echo endpoint ;;
	recv:1) echo file ;;
	pitfalls:0) echo "one:partial-send part-of-a-message two-messages recv-on-listener vanished-peer stale-socket-file fds-small-buffer fds-no-buffer fds-zero-bytes fds-too-many fds-barrier fds-exec" ;;
	pitfalls:1) echo endpoint ;;
	fdpass:0) echo endpoint ;;
	fdpass:1) echo file ;;
	creds:0) echo endpoint ;;
	socketpair:0) echo "one:tcp udp unix unixgram unixpacket rdt" ;;
	wire:0) echo target ;;
	*) return 1 ;;
	esac
}

_socklab() {
	local words cword cur prev cmd= i kind n=0 dashdash=0
	_socklab_words
	cur=${words[cword]} prev=${words[cword - 1]}
	COMPREPLY=()
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		--generate) ((++i)) ;;
		-*) ;;
		*) cmd=${words[i]}; break ;;
		esac
	done
	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then _socklab_add "$cur" --trace --help --version
		else _socklab_add "$cur" echo-server echo-client load chat-server chat-client send recv pitfalls bench fdpass creds socketpair multicast contrast congestion wire; fi
	else
		for ((++i; i < cword; i++)); do
			if ((dashdash)); then ((++n)); continue; fi
			case ${words[i]} in
			--) dashdash=1 ;;
			-?*) _socklab_option $cmd "${words[i]}" >/dev/null && ((++i)) ;;
			*) ((++n)) ;;
			esac
		done
		if ((!dashdash)) && [[ $cur == --*=* ]]; then
			kind=$(_socklab_option $cmd "${cur%%=*}") && _socklab_value "$kind" "${cur#*=}"
			COMPREPLY=("${COMPREPLY[@]/#/${cur%%=*}=}")
		elif ((!dashdash)) && [[ $prev == -?* ]] && kind=$(_socklab_option $cmd "$prev"); then
			_socklab_value "$kind" "$cur"
		elif ((!dashdash)) && [[ $cur == -* ]]; then
			_socklab_add "$cur" $(_socklab_options $cmd)
		elif kind=$(_socklab_operand $cmd $n); then
			_socklab_value "$kind" "$cur"
		fi
	fi
	# readline replaces only what follows the last ':' or '=' that bash splits at: keep that part.
	local breaks=
	[[ $COMP_WORDBREAKS == *:* ]] && breaks+=:
	[[ $COMP_WORDBREAKS == *=* ]] && breaks+==
	if [[ -n $breaks && $cur == *[$breaks]* ]]; then
		local pre=${cur%"${cur##*[$breaks]}"}
		COMPREPLY=("${COMPREPLY[@]#"$pre"}")
	fi
	# A scheme, a directory, a list or "--opt=" goes on: no space after it.
	if ((${#COMPREPLY[@]} == 1)) && [[ $COMPREPLY == *[/:=,] ]]; then compopt -o nospace 2>/dev/null; fi
	return 0
}

complete -F _socklab socklab
