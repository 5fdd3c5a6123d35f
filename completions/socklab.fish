# socklab(1) completion for fish, socklab 0.2.0 - written by `socklab --generate fish` (make generate):
# edit the descriptions (demos/command.h says where), not this file.

# The words before the cursor after socklab and its global options: the command first.
function __socklab_args
	set -l args (commandline -opc)[2..-1]
	while set -q args[1]
		switch $args[1]
			case --generate
				set -e args[1..2]
			case '-*'
				set -e args[1]
			case '*'
				break
		end
	end
	string join \n -- $args
end

function __socklab_needs_command
	set -l args (__socklab_args)
	not set -q args[1]
end

function __socklab_using -a name
	set -l args (__socklab_args)
	set -q args[1]; and test "$args[1]" = "$name"
end

# Is the cursor on operand n (from 0; n+ for n and after) of command cmd?
function __socklab_operand -a cmd n
	set -l args (__socklab_args)[2..-1]
	set -l i 0
	set -l skip 0
	for w in $args
		if test $skip = 1
			set skip 0
			continue
		end
		switch $w
			case '--*=*'
			case '-?*'
				__socklab_takes_value $cmd $w; and set skip 1
			case '*'
				set i (math $i + 1)
		end
	end
	if string match -q '*+' -- $n
		test $i -ge (string trim -r -c + -- $n)
	else
		test $i -eq $n
	end
end

# An endpoint: its scheme first (tc -> tcp://), then a host, or a socket file's path.
function __socklab_endpoint
	set -l cur (commandline -ct)
	switch $cur
		case 'unix:*' 'unixgram:*' 'unixpacket:*'
			set -l scheme (string split -m 1 : -- $cur)[1]
			set -l path (string replace -r '^[^:]*:' '' -- $cur)
			string match -q '@*' -- $path; and return
			for f in (__fish_complete_path $path)
				echo $scheme:$f
			end
		case 'tcp://*' 'udp://*' 'rdt://*'
			set -l s (string replace -r '://.*' '://' -- $cur)
			string match -q '*://*:*' -- $cur; or printf '%s\n' $s'127.0.0.1:' $s'[::1]:' $s'localhost:'
		case '*'
			printf '%s\n' tcp:// udp:// unix: unixgram: unixpacket: rdt://
	end
end

# A comma-separated list of the words given: what is typed so far, then each word.
function __socklab_list
	set -l head (string replace -r '^--[^=]*=' '' -- (commandline -ct) | string replace -r '[^,]*$' '')
	for w in $argv
		echo $head$w
	end
end

function __socklab_takes_value -a cmd opt
	switch $cmd:$opt
		case echo-server:--poller echo-server:--idle echo-server:--mode echo-client:--timeout echo-client:-w load:--clients load:--messages load:--size load:--window load:--seed load:--timeout load:--poller chat-server:--seed chat-server:--idle chat-server:--mode chat-client:--timeout chat-client:-w send:--size send:--rate send:--timeout recv:--timeout recv:--rcvbuf recv:--slow recv:--mode bench:--transports bench:--test bench:--seconds bench:--pin bench:--batch bench:--loss bench:--seed multicast:--receivers contrast:--transports contrast:--scenarios contrast:--format contrast:--width contrast:--impair contrast:--filtered congestion:--rate congestion:--buffer congestion:--loss congestion:--delay congestion:--cc congestion:--flows congestion:--stagger congestion:--seconds congestion:--interval congestion:--format congestion:--seed wire:--scenario wire:--format wire:--pcap wire:--loss wire:--seed
			return 0
	end
	return 1
end

complete -c socklab -f
complete -c socklab -n __socklab_needs_command -l trace -d 'narrate every socket call on standard error'
complete -c socklab -n __socklab_needs_command -s h -l help -d 'print the commands and endpoints'
complete -c socklab -n __socklab_needs_command -l version -d 'print the version, and what this build can do'
complete -c socklab -n __socklab_needs_command -a echo-server -d 'serve echo on ENDPOINT until Ctrl-C'
complete -c socklab -n __socklab_needs_command -a echo-client -d 'send messages to an echo server and print each reply'
complete -c socklab -n __socklab_needs_command -a load -d 'many clients at once against an echo server, every byte checked'
complete -c socklab -n __socklab_needs_command -a chat-server -d 'the tutorial\'s chat server: a greeting, then a letter per message'
complete -c socklab -n __socklab_needs_command -a chat-client -d 'the tutorial\'s chat client: send lines, print the answers'
complete -c socklab -n __socklab_needs_command -a send -d 'send a file or standard input to a receiver, and report'
complete -c socklab -n __socklab_needs_command -a recv -d 'receive one transfer into a file or standard output, and report what'
complete -c socklab -n __socklab_needs_command -a pitfalls -d 'make one thing the tutorials gloss over happen, live'
complete -c socklab -n __socklab_needs_command -a bench -d 'round trips and throughput of every transport, with and without the'
complete -c socklab -n __socklab_needs_command -a fdpass -d 'send an open file\'s descriptor to another process over a unix socket'
complete -c socklab -n __socklab_needs_command -a creds -d 'who is at the other end of a unix socket: SO_PEERCRED, SO_PEERPIDFD'
complete -c socklab -n __socklab_needs_command -a socketpair -d 'two sockets born connected, with no name, for a parent and its child'
complete -c socklab -n __socklab_needs_command -a multicast -d 'one datagram, sent once, read by every member of a group'
complete -c socklab -n __socklab_needs_command -a contrast -d 'the same scenarios over every transport, side by side, as observed'
complete -c socklab -n __socklab_needs_command -a congestion -d 'TCP\'s congestion window on a real bottleneck, sampled from the kernel'
complete -c socklab -n __socklab_needs_command -a wire -d 'the packets of one exchange: a ladder of every packet, TCP states, a'

# socklab echo-server
complete -c socklab -n '__socklab_using echo-server' -s q -l quiet -d 'do not log clients as they come and go'
complete -c socklab -n '__socklab_using echo-server' -l poller -x -a 'poll epoll' -d 'how to wait for many sockets: epoll'
complete -c socklab -n '__socklab_using echo-server' -l idle -x -d 'datagram transports: forget a client quiet this long'
complete -c socklab -n '__socklab_using echo-server' -l mode -x -d 'unix socket files: set the file\'s mode, in octal'
complete -c socklab -n '__socklab_using echo-server' -l trace -d 'narrate every socket call on standard error'
complete -c socklab -n '__socklab_using echo-server' -s h -l help -d 'print this command\'s help and exit'
complete -c socklab -n '__socklab_using echo-server; and __socklab_operand echo-server 0' -a '(__socklab_endpoint)'

# socklab echo-client
complete -c socklab -n '__socklab_using echo-client' -s w -l timeout -x -d 'how long to wait for the connection'
complete -c socklab -n '__socklab_using echo-client' -l trace -d 'narrate every socket call on standard error'
complete -c socklab -n '__socklab_using echo-client' -s h -l help -d 'print this command\'s help and exit'
complete -c socklab -n '__socklab_using echo-client; and __socklab_operand echo-client 0' -a '(__socklab_endpoint)'

# socklab load
complete -c socklab -n '__socklab_using load' -l clients -x -d 'clients at once'
complete -c socklab -n '__socklab_using load' -l messages -x -d 'messages per client'
complete -c socklab -n '__socklab_using load' -l size -x -d 'message sizes in bytes, or one size N'
complete -c socklab -n '__socklab_using load' -l window -x -d 'messages a client may have sent and not yet seen back'
complete -c socklab -n '__socklab_using load' -l seed -x -d 'seed for the sizes and the bytes'
complete -c socklab -n '__socklab_using load' -l timeout -x -d 'an echo not back after this long is lost, and a connect() not done'
complete -c socklab -n '__socklab_using load' -l poller -x -a 'poll epoll' -d 'how to wait for the clients\' sockets: epoll'
complete -c socklab -n '__socklab_using load' -l json -d 'print the summary as one JSON object'
complete -c socklab -n '__socklab_using load' -l trace -d 'narrate every socket call on standard error'
complete -c socklab -n '__socklab_using load' -s h -l help -d 'print this command\'s help and exit'
complete -c socklab -n '__socklab_using load; and __socklab_operand load 0' -a '(__socklab_endpoint)'

# socklab chat-server
complete -c socklab -n '__socklab_using chat-server' -l seed -x -d 'the letters\' seed: the same seed, the same letters for each client'
complete -c socklab -n '__socklab_using chat-server' -s q -l quiet -d 'do not log clients and messages'
complete -c socklab -n '__socklab_using chat-server' -l idle -x -d 'datagram transports: forget a client quiet this long'
complete -c socklab -n '__socklab_using chat-server' -l mode -x -d 'unix socket files: the file\'s mode, in octal'
complete -c socklab -n '__socklab_using chat-server' -l trace -d 'narrate every socket call on standard error'
complete -c socklab -n '__socklab_using chat-server' -s h -l help -d 'print this command\'s help and exit'
complete -c socklab -n '__socklab_using chat-server; and __socklab_operand chat-server 0' -a '(__socklab_endpoint)'

# socklab chat-client
complete -c socklab -n '__socklab_using chat-client' -s w -l timeout -x -d 'how long to wait for the connection and for each answer'
complete -c socklab -n '__socklab_using chat-client' -l trace -d 'narrate every socket call on standard error'
complete -c socklab -n '__socklab_using chat-client' -s h -l help -d 'print this command\'s help and exit'
complete -c socklab -n '__socklab_using chat-client; and __socklab_operand chat-client 0' -a '(__socklab_endpoint)'

# socklab send
complete -c socklab -n '__socklab_using send' -l size -x -d 'message transports: payload bytes per message'
complete -c socklab -n '__socklab_using send' -l rate -x -d 'send at most BYTES per second'
complete -c socklab -n '__socklab_using send' -l timeout -x -d 'how long to wait for the receiver\'s answer'
complete -c socklab -n '__socklab_using send' -l trace -d 'narrate every socket call on standard error'
complete -c socklab -n '__socklab_using send' -s h -l help -d 'print this command\'s help and exit'
complete -c socklab -n '__socklab_using send; and __socklab_operand send 0' -a '(__socklab_endpoint)'
complete -c socklab -n '__socklab_using send; and __socklab_operand send 1' -F

# socklab recv
complete -c socklab -n '__socklab_using recv' -l timeout -x -d 'message transports: give up once the sender is quiet this long'
complete -c socklab -n '__socklab_using recv' -l rcvbuf -x -d 'the socket\'s receive buffer'
complete -c socklab -n '__socklab_using recv' -l slow -x -d 'pause MS milliseconds after each message, as a slow reader would'
complete -c socklab -n '__socklab_using recv' -l mode -x -d 'unix socket files: the file\'s mode, in octal'
complete -c socklab -n '__socklab_using recv' -l trace -d 'narrate every socket call on standard error'
complete -c socklab -n '__socklab_using recv' -s h -l help -d 'print this command\'s help and exit'
complete -c socklab -n '__socklab_using recv; and __socklab_operand recv 0' -a '(__socklab_endpoint)'
complete -c socklab -n '__socklab_using recv; and __socklab_operand recv 1' -F

# socklab pitfalls
complete -c socklab -n '__socklab_using pitfalls' -s h -l help -d 'print this command\'s help and exit'
complete -c socklab -n '__socklab_using pitfalls; and __socklab_operand pitfalls 0' -a 'partial-send part-of-a-message two-messages recv-on-listener vanished-peer stale-socket-file fds-small-buffer fds-no-buffer fds-zero-bytes fds-too-many fds-barrier fds-exec'
complete -c socklab -n '__socklab_using pitfalls; and __socklab_operand pitfalls 1' -a '(__socklab_endpoint)'

# socklab bench
complete -c socklab -n '__socklab_using bench' -l transports -x -a '(__socklab_list tcp udp unix unixgram unixpacket rdt)' -d 'comma-separated schemes'
complete -c socklab -n '__socklab_using bench' -l test -x -a 'rtt bulk all nagle' -d 'the test to run'
complete -c socklab -n '__socklab_using bench' -l seconds -x -d 'time per test and transport, both paths and placements together'
complete -c socklab -n '__socklab_using bench' -l pin -x -a 'same split both none' -d 'where the client and the servers run'
complete -c socklab -n '__socklab_using bench' -l batch -x -d 'datagram bulk: at most N datagrams per system call, 1 to 64'
complete -c socklab -n '__socklab_using bench' -l json -d 'one JSON object per line instead of the tables'
complete -c socklab -n '__socklab_using bench' -l loss -x -d 'instead: rdt, socklab\'s own protocol, in each mode'
complete -c socklab -n '__socklab_using bench' -l seed -x -d 'with --loss: rdt\'s drops are drawn from N on the client and N+1 on the'
complete -c socklab -n '__socklab_using bench' -s h -l help -d 'print this command\'s help and exit'

# socklab fdpass
complete -c socklab -n '__socklab_using fdpass' -s h -l help -d 'print this command\'s help and exit'
complete -c socklab -n '__socklab_using fdpass; and __socklab_operand fdpass 0' -a '(__socklab_endpoint)'
complete -c socklab -n '__socklab_using fdpass; and __socklab_operand fdpass 1' -F

# socklab creds
complete -c socklab -n '__socklab_using creds' -s h -l help -d 'print this command\'s help and exit'
complete -c socklab -n '__socklab_using creds; and __socklab_operand creds 0' -a '(__socklab_endpoint)'

# socklab socketpair
complete -c socklab -n '__socklab_using socketpair' -s h -l help -d 'print this command\'s help and exit'
complete -c socklab -n '__socklab_using socketpair; and __socklab_operand socketpair 0' -a 'tcp udp unix unixgram unixpacket rdt'

# socklab multicast
complete -c socklab -n '__socklab_using multicast' -l receivers -x -d 'how many receivers join'
complete -c socklab -n '__socklab_using multicast' -s 4 -d 'IPv4 only'
complete -c socklab -n '__socklab_using multicast' -s 6 -d 'IPv6 only'
complete -c socklab -n '__socklab_using multicast' -l host -d 'on this host\'s loopback instead, changed in nothing: no namespace'
complete -c socklab -n '__socklab_using multicast' -l trace -d 'narrate every socket call on standard error'
complete -c socklab -n '__socklab_using multicast' -s h -l help -d 'print this command\'s help and exit'

# socklab contrast
complete -c socklab -n '__socklab_using contrast' -l transports -x -a '(__socklab_list tcp udp unix unixgram unixpacket rdt)' -d 'comma-separated schemes'
complete -c socklab -n '__socklab_using contrast' -l scenarios -x -a '(__socklab_list handshake boundaries empty end size buffer flow greeting clients restart calls delivery descriptors credentials one-to-many stranger)' -d 'comma-separated scenario names'
complete -c socklab -n '__socklab_using contrast' -l format -x -a 'text markdown json mermaid sequence' -d 'text'
complete -c socklab -n '__socklab_using contrast' -l width -x -d 'text and sequence: N columns'
complete -c socklab -n '__socklab_using contrast' -l impair -x -d 'impair every endpoint, as after \'?\' in an endpoint: drop=0.2&seed=7'
complete -c socklab -n '__socklab_using contrast' -l filtered -x -d 'scenario 1 also dials 127.0.0.1:PORT, where a firewall drops every'
complete -c socklab -n '__socklab_using contrast' -l trace -d 'narrate every socket call on standard error'
complete -c socklab -n '__socklab_using contrast' -s h -l help -d 'print this command\'s help and exit'

# socklab congestion
complete -c socklab -n '__socklab_using congestion' -l rate -x -d 'the bottleneck: 20mbit'
complete -c socklab -n '__socklab_using congestion' -l buffer -x -d 'its queue, in bytes or packets of 1500 bytes: 100p'
complete -c socklab -n '__socklab_using congestion' -l loss -x -d 'drop PCT% of the data segments at random on the way'
complete -c socklab -n '__socklab_using congestion' -l delay -x -d 'add MS to the round trip'
complete -c socklab -n '__socklab_using congestion' -l cc -x -a '(__socklab_list reno cubic bbr aimd)' -d 'algorithms, run one after another'
complete -c socklab -n '__socklab_using congestion' -l flows -x -d 'flows sharing the bottleneck in each run'
complete -c socklab -n '__socklab_using congestion' -l stagger -x -d 'start flow i at i x S seconds'
complete -c socklab -n '__socklab_using congestion' -l seconds -x -d 'length of each run'
complete -c socklab -n '__socklab_using congestion' -l interval -x -d 'between samples: TCP_INFO, or rdt\'s own'
complete -c socklab -n '__socklab_using congestion' -l format -x -a 'chart json csv' -d 'chart'
complete -c socklab -n '__socklab_using congestion' -l seed -x -d 'a loss pattern drawn from N, the same every run'
complete -c socklab -n '__socklab_using congestion' -s h -l help -d 'print this command\'s help and exit'

# socklab wire
complete -c socklab -n '__socklab_using wire' -l scenario -x -a 'echo handshake refused half-close no-server loss' -d 'the exchange'
complete -c socklab -n '__socklab_using wire' -l format -x -a 'ladder mermaid json' -d 'ladder'
complete -c socklab -n '__socklab_using wire' -l explain -d 'answer the Wireshark lab\'s questions from this capture: initial'
complete -c socklab -n '__socklab_using wire' -l pcap -r -F -d 'also write the packets to FILE'
complete -c socklab -n '__socklab_using wire' -l loss -x -d 'nftables in the namespace drops PERCENT of the data packets'
complete -c socklab -n '__socklab_using wire' -l seed -x -d 'drop the same packets each run'
complete -c socklab -n '__socklab_using wire' -s h -l help -d 'print this command\'s help and exit'
complete -c socklab -n '__socklab_using wire; and __socklab_operand wire 0' -a 'tcp udp unix unixgram unixpacket rdt (__socklab_endpoint)'
