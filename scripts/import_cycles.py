#!/usr/bin/env python3
"""Fails when two modules of src/ import each other, directly or through others (`crate::` and
`super::` paths, comments and unit tests left out; a child naming its parent does not count).
A cycle means two rooms that cannot be read apart: move what both need into a leaf module."""
import re,os,sys
root=os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'src')
mods={}
for dp,dn,fn in os.walk(root):
    for f in fn:
        if f.endswith('.rs'):
            p=os.path.join(dp,f)
            rel=p[len(root)+1:-3]
            if rel.endswith('/mod'): rel=rel[:-4]
            mods[rel.replace('/','::')]=open(p).read()
def resolve(cur,path):
    parts=path.split('::')
    base=cur.split('::')
    if parts[0]=='crate': parts=parts[1:]; base=[]
    elif parts[0]=='super':
        while parts and parts[0]=='super': parts=parts[1:]; base=base[:-1]
    elif parts[0]=='self': parts=parts[1:]
    else: return None
    full=base+parts
    # the longest prefix that names a module (the rest is an item inside it)
    for i in range(len(full),0,-1):
        m='::'.join(full[:i])
        if m in mods: return m
    return None
edges={m:set() for m in mods}
for m,src in mods.items():
    src=re.sub(r'//.*','',src)
    src=re.sub(r'#\[cfg\(test\)\]\s*mod tests \{.*','',src,flags=re.S)
    for path in re.findall(r'\b((?:crate|super)(?:::\w+)+)',src):
        t=resolve(m,path)
        if t and t!=m and not m.startswith(t+'::') and not t.startswith(m+'::'): edges[m].add(t)
# Tarjan: every strongly connected component of more than one module is a cycle.
idx={};low={};st=[];on=set();res=[];c=[0]
sys.setrecursionlimit(10000)
def sc(v):
    idx[v]=low[v]=c[0];c[0]+=1;st.append(v);on.add(v)
    for w in edges[v]:
        if w not in idx: sc(w);low[v]=min(low[v],low[w])
        elif w in on: low[v]=min(low[v],idx[w])
    if low[v]==idx[v]:
        comp=[]
        while True:
            w=st.pop();on.discard(w);comp.append(w)
            if w==v:break
        if len(comp)>1: res.append(comp)
for v in mods:
    if v not in idx: sc(v)
if res:
    for r in res:
        print('import cycle between modules: ' + ' <-> '.join(sorted(r)), file=sys.stderr)
    sys.exit(1)
print(f'no import cycle among {len(mods)} modules')
