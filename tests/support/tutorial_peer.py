#!/usr/bin/env python3
"""tutorial_peer.py - the Python tutorial's chat server and client (seeds/002), byte for byte, for tests.

    python3 tests/support/tutorial_peer.py server PORT [--seed N] [--faithful]
    python3 tests/support/tutorial_peer.py client PORT

Both use 127.0.0.1, as the tutorial does. The socket calls, their order, the
bytes sent and the one-recv-is-one-message assumption are the tutorial's:
recv(1024) is taken to be exactly one message. What was added, for tests:

  - the port comes from the command line; 0 lets the kernel choose;
  - the server prints "listening on tcp://127.0.0.1:PORT" once it listens
    (a test waits for that line instead of sleeping), and --seed makes its
    letters repeatable;
  - the server stops when the client's connection ends (recv returns b''):
    the tutorial's loop would spin on b'' forever, sending letters to nobody,
    until a send fails. --faithful keeps the tutorial's loop as it is;
  - the client stops quietly at the end of its input, where the tutorial's
    input() would raise EOFError.
"""
import random
import socket
import string
import sys


def serve(port, faithful):
    server_object = socket.socket(family=socket.AF_INET, type=socket.SOCK_STREAM)
    server_object.bind(('127.0.0.1', port))
    server_object.listen()
    print("listening on tcp://127.0.0.1:%d" % server_object.getsockname()[1], flush=True)

    connection_object, _ = server_object.accept()
    if connection_object:
        print("SERVER CONNECTED TO CLIENT", flush=True)
        connection_object.send(b"type the message")
        data_receive = connection_object.recv(1024)
        while data_receive != b'stop':
            if data_receive == b'' and not faithful:
                print("CLIENT CLOSED THE CONNECTION", flush=True)
                break
            print("{}: {}".format("CLIENT MESSAGE: ", data_receive.decode('utf-8')), flush=True)
            server_input = random.choice(string.ascii_letters)
            connection_object.send(server_input.encode('utf-8'))
            data_receive = connection_object.recv(1024)


def chat(port):
    client_object = socket.socket(family=socket.AF_INET, type=socket.SOCK_STREAM)
    client_object.connect(('127.0.0.1', port))
    data_receive = client_object.recv(1024)
    if data_receive:
        print("CLIENT CONNECTED TO SERVER", flush=True)
        print(data_receive.decode('utf-8'), flush=True)
        while data_receive:
            try:
                client_input = input().encode('utf-8')
            except EOFError:
                break
            client_object.send(client_input)
            data_receive = client_object.recv(1024)
            if data_receive:
                print("{}: {}".format("SERVER", data_receive.decode('utf-8')), flush=True)


def main(argv):
    if len(argv) < 3 or argv[1] not in ("server", "client"):
        sys.exit("usage: tutorial_peer.py server PORT [--seed N] [--faithful] | client PORT")
    port = int(argv[2])
    if argv[1] == "client":
        chat(port)
        return
    if "--seed" in argv:
        random.seed(int(argv[argv.index("--seed") + 1]))
    serve(port, "--faithful" in argv)


if __name__ == "__main__":
    main(sys.argv)
