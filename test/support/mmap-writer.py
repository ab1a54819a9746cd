# Writes into a file through a shared memory mapping, the way a program that mmaps its config
# would: `mmap-writer.py FILE OFFSET HEX`. It first rewrites the bytes at OFFSET with themselves
# (the first write to a clean page sets the file's mtime and ctime), prints "dirtied", and on a
# line from stdin writes HEX's bytes there (to the same, still dirty pages: no time stamp moves),
# prints "written" and waits for stdin to close. Test-only.
import mmap
import os
import sys

path, offset, data = sys.argv[1], int(sys.argv[2]), bytes.fromhex(sys.argv[3])
fd = os.open(path, os.O_RDWR)
mapping = mmap.mmap(fd, 0, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
mapping[offset:offset + len(data)] = mapping[offset:offset + len(data)]
print('dirtied', flush=True)
sys.stdin.readline()
mapping[offset:offset + len(data)] = data
print('written', flush=True)
sys.stdin.read()
mapping.close()
os.close(fd)
